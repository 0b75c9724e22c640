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

/** One line of a received order, validated and in exact cents. */
export interface ReceiveLine {
  lineNo: number;
  itemNo: string;
  title: string;
  priceCents: bigint;
  quantity: number;
  uom: string;
  /** The line total as sent by the supplier (price × quantity when not sent). */
  totalCents: bigint;
  /** Hundredths of a percent when the discount was given as a percentage. */
  discountPercentHundredths: bigint | null;
  /** The discount in cents taken off the whole line (computed from the percentage if needed). */
  discountCents: bigint;
}

/** A received order, validated and normalised, ready to be stored. */
export interface ReceiveOrder {
  orderNumber: string;
  supplier: string | null;
  lines: ReceiveLine[];
}
