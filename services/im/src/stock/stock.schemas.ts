import { Type, type Static } from '@sinclair/typebox';
import { Int, Nullable, Obj, Text } from '@pjs/http';
import { ItemNumber, OrderNumber } from '../common/text.schema';

export const MAX_STOCK_AMOUNT = 1_000_000;

/** Optional on every stock change: ties it to an order by number, and a note for the ledger. */
const OrderReference = {
  order_id: Type.Optional(Nullable(OrderNumber)),
  reason: Type.Optional(Nullable(Text(500, { description: 'Free text kept in the ledger' }))),
};

/** `POST /api/add-stock/` and `/api/reduce-stock/`. Numbers may arrive as strings, item numbers as numbers. */
export const StockChangeSchema = Obj(
  {
    item_no: ItemNumber,
    amount: Int(1, MAX_STOCK_AMOUNT, { description: 'A whole number; may be sent as a string' }),
    ...OrderReference,
  },
  { title: 'StockChange' },
);
export type StockChangeBody = Static<typeof StockChangeSchema>;

/** `DELETE /api/delete-item/` and `POST /api/restore-item/`: the item in the body (or `?item_no=`). */
export const ItemReferenceSchema = Nullable(
  Obj(
    { item_no: Type.Optional(ItemNumber), ...OrderReference },
    { title: 'ItemReference', description: 'item_no is required, here or (delete-item) as ?item_no=' },
  ),
);
export type ItemReferenceBody = Static<typeof ItemReferenceSchema>;

export const ItemNumberQuerySchema = Obj({ item_no: Type.Optional(ItemNumber) });

export const MovementSchema = Type.Object(
  {
    id: Type.String({ description: 'Ledger row id (a bigint, as text)' }),
    type: Type.Unsafe<string>({ type: 'string', enum: ['receive', 'add', 'reduce', 'delete', 'restore'] }),
    amount: Type.Integer({ description: 'Signed change of the quantity (0 for delete and restore)' }),
    balance_after: Type.Integer(),
    order_id: Nullable(Type.String({ description: 'The order number' })),
    actor: Type.String(),
    reason: Nullable(Type.String()),
    created_at: Type.String({ format: 'date-time' }),
  },
  { title: 'Movement' },
);

export const StockChangeResultSchema = Type.Object(
  { item_no: Type.String(), quantity: Type.Integer(), movement: MovementSchema },
  { title: 'StockChangeResult' },
);
