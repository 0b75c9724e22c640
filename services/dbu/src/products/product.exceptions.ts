import { ApiException, ConflictApiException, FieldValidationException } from '@pjs/http';

export { ProductNotFoundException } from '../catalogue/product-api';

/** The product errors of the catalogue API, each with its code (mapped to HTTP by the global filter). */
export class ProductExistsException extends ConflictApiException {
  constructor(itemNo: string, deleted: boolean) {
    super(
      'product_exists',
      deleted
        ? `product ${JSON.stringify(itemNo)} exists but is deleted; PUT it to restore it`
        : `product ${JSON.stringify(itemNo)} already exists`,
    );
  }
}

export class UnknownCategoryException extends FieldValidationException {
  constructor() {
    super('category', 'unknown category');
  }
}

export class ItemNumberMismatchException extends ApiException {
  constructor() {
    super(400, 'validation_failed', 'item_no: must match the item number in the URL', [
      { field: 'item_no', message: 'must match the item number in the URL' },
    ]);
  }
}

/** `cursor` is not one this list handed out, or belongs to another `ordering`. */
export class InvalidProductCursorException extends FieldValidationException {
  constructor() {
    super('cursor', 'not a cursor of this list and ordering (use the next_cursor or previous_cursor of an answer)');
  }
}
