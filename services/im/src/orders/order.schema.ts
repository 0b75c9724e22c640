import { Type } from '@sinclair/typebox';
import { Nullable } from '@pjs/http';

const Money = (description?: string) => Type.String({ example: '12.50', ...(description ? { description } : {}) });

export const OrderLineSchema = Type.Object(
  {
    line_no: Type.Integer(),
    item_no: Type.String(),
    title: Type.String(),
    price: Money(),
    discount_percent: Nullable(Type.String({ example: '5.00' })),
    discount_amount: Money('Taken off the whole line'),
    quantity: Type.Integer(),
    uom: Type.String({ example: 'stk' }),
    total: Money('The line total as the supplier sent it'),
    net_amount: Money('price × quantity − discount'),
  },
  { title: 'OrderLine' },
);

/** A stored order as the API shows it (money as decimal strings with two decimals). */
export const OrderSchema = Type.Object(
  {
    id: Type.Integer(),
    order_number: Type.String(),
    supplier: Nullable(Type.String()),
    source: Type.Unsafe<'http' | 'amqp' | 'cli'>({ type: 'string', enum: ['http', 'amqp', 'cli'] }),
    received_at: Type.String({ format: 'date-time' }),
    lines: Type.Array(OrderLineSchema),
  },
  { title: 'Order' },
);
