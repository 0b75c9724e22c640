import { ApiException, ConflictApiException } from '@pjs/http';

export class ItemNotFoundException extends ApiException {
  constructor(itemNo: string) {
    super(404, 'item_not_found', `Item ${itemNo} not found.`);
  }
}

/** 409: the reduce would take the stock below zero; nothing was changed. */
export class InsufficientStockException extends ConflictApiException {
  constructor(itemNo: string, available: number, requested: number) {
    super('insufficient_stock', `Item ${itemNo} has ${available} in stock; cannot reduce by ${requested}.`);
  }
}

export class QuantityOutOfRangeException extends ConflictApiException {
  constructor(itemNo: string) {
    super('quantity_out_of_range', `The quantity of item ${itemNo} would exceed the largest storable value.`);
  }
}

export class ItemNotDeletedException extends ConflictApiException {
  constructor(itemNo: string) {
    super('item_not_deleted', `Item ${itemNo} is not deleted; there is nothing to restore.`);
  }
}
