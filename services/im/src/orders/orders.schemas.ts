import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Obj, Text } from '@pjs/http';
import { OrderNumber } from '../common/text.schema';
import { PageOf, PageQueryFields, type PageQuery } from '../common/pagination.schema';

const Amount = (description: string) => Type.String({ description, example: '23.75' });
const Source = Type.Unsafe<'http' | 'amqp' | 'cli'>({
  type: 'string',
  enum: ['http', 'amqp', 'cli'],
  description: 'How the order came in: POST /api/receive/, the im.order.received message or the CLI',
});

export const OrdersQuerySchema = Obj({
  search: Type.Optional(Text(100, { description: 'Substring of the order number, case-insensitive' })),
  ...PageQueryFields,
});
/** The query after validation (defaults filled in). */
export type OrdersQuery = Static<typeof OrdersQuerySchema> & PageQuery;

export const OrderParamsSchema = Obj({ order_number: OrderNumber });

const OrderSummarySchema = Type.Object(
  {
    id: Type.Integer(),
    order_number: Type.String(),
    supplier: Nullable(Type.String()),
    source: Source,
    received_at: Type.String({ format: 'date-time' }),
    line_count: Type.Integer(),
    quantity: Type.Integer({ description: 'Pieces over all lines' }),
    net_amount: Amount('Σ net_amount of the lines (price × quantity − discount)'),
  },
  { title: 'OrderSummary' },
);

export const OrdersPageSchema = PageOf(OrderSummarySchema, {}, 'OrdersPage');

const OrderLineSchema = Type.Object(
  {
    line_no: Type.Integer(),
    item_no: Type.String(),
    title: Type.String(),
    price: Amount('Unit price'),
    discount_percent: Nullable(Type.String({ description: 'When the discount was given as a percentage' })),
    discount_amount: Amount('Discount taken off the whole line'),
    quantity: Type.Integer(),
    uom: Type.String(),
    total: Amount('The line total as the supplier sent it'),
    net_amount: Amount('price × quantity − discount: what this line costs us'),
  },
  { title: 'OrderLine' },
);

export const OrderSchema = Type.Object(
  {
    id: Type.Integer(),
    order_number: Type.String(),
    supplier: Nullable(Type.String()),
    source: Source,
    received_at: Type.String({ format: 'date-time' }),
    lines: Type.Array(OrderLineSchema),
  },
  { title: 'Order' },
);
