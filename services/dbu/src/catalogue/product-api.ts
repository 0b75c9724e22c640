import { NotFoundApiException, Obj, Type } from '@pjs/http';

/** What every `/api/products/{item_no}/…` route shares. */

/** `{item_no}` (longer than 64 characters: no such product, 404 rather than 400). */
export const ItemParamsSchema = Obj({ item_no: Type.String({ description: 'Item number', example: 'ABC-001' }) });

export class ProductNotFoundException extends NotFoundApiException {
  constructor(itemNo: string) {
    super(`product ${JSON.stringify(itemNo)}`);
  }
}
