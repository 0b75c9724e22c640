/** Where an order came from. */
export type OrderSource = 'http' | 'amqp' | 'cli';

export interface OrderLineView {
  line_no: number;
  item_no: string;
  title: string;
  price: string;
  discount_percent: string | null;
  discount_amount: string;
  quantity: number;
  uom: string;
  total: string;
  /** price × quantity − discount: what this line costs us. */
  net_amount: string;
}

export interface OrderView {
  id: number;
  order_number: string;
  supplier: string | null;
  source: OrderSource;
  received_at: string;
  lines: OrderLineView[];
}
