import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from '@pjs/database';
import type { ReceiveLine } from '../receive/receive.schema';
import { formatCents } from './money';
import type { OrderLineView, OrderSource, OrderView } from './order.types';

interface OrderRow {
  id: number;
  order_number: string;
  supplier: string | null;
  source: OrderSource;
  received_at: Date;
}

type Queryable = Pick<EntityManager, 'query'>;

/** Orders and their lines. Orders are written once and never changed. */
@Injectable()
export class OrdersRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Inserts the order unless its number exists; returns the new id, or null when another
   * request already created (or is creating) it. Relies on the unique constraint, so two
   * identical requests racing each other cannot both succeed.
   */
  async insertIfNew(
    tx: Queryable,
    order: { orderNumber: string; supplier: string | null; source: OrderSource; actor: string },
  ): Promise<number | null> {
    const rows: { id: number }[] = await tx.query(
      `INSERT INTO orders (order_number, supplier, source, actor) VALUES ($1, $2, $3, $4)
       ON CONFLICT (order_number) DO NOTHING
       RETURNING id`,
      [order.orderNumber, order.supplier, order.source, order.actor],
    );
    return rows[0]?.id ?? null;
  }

  async insertLines(tx: Queryable, orderId: number, lines: readonly ReceiveLine[]): Promise<void> {
    await tx.query(
      `INSERT INTO order_lines
         (order_id, line_no, item_no, title, price, discount_percent, discount_amount, quantity, uom, total)
       SELECT $1, t.*
         FROM unnest($2::int[], $3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::numeric[],
                     $8::int[], $9::text[], $10::numeric[])
           AS t(line_no, item_no, title, price, discount_percent, discount_amount, quantity, uom, total)`,
      [
        orderId,
        lines.map((l) => l.lineNo),
        lines.map((l) => l.itemNo),
        lines.map((l) => l.title),
        lines.map((l) => formatCents(l.priceCents)),
        lines.map((l) => (l.discountPercentHundredths === null ? null : formatCents(l.discountPercentHundredths))),
        lines.map((l) => formatCents(l.discountCents)),
        lines.map((l) => l.quantity),
        lines.map((l) => l.uom),
        lines.map((l) => formatCents(l.totalCents)),
      ],
    );
  }

  /** The order id for an order number (what `order_id` means in the stock routes). */
  async findIdByNumber(orderNumber: string): Promise<number | null> {
    const rows: { id: number }[] = await this.db.query(`SELECT id FROM orders WHERE order_number = $1`, [orderNumber]);
    return rows[0]?.id ?? null;
  }

  async findByNumber(orderNumber: string, tx: Queryable = this.db): Promise<OrderView | null> {
    const orders: OrderRow[] = await tx.query(
      `SELECT id, order_number, supplier, source, received_at FROM orders WHERE order_number = $1`,
      [orderNumber],
    );
    const order = orders[0];
    if (!order) return null;
    const lines: OrderLineView[] = await tx.query(
      `SELECT line_no, item_no, title, price::text, discount_percent::text, discount_amount::text, quantity, uom,
              total::text, net_amount::text
         FROM order_lines WHERE order_id = $1 ORDER BY line_no`,
      [order.id],
    );
    return {
      id: order.id,
      order_number: order.order_number,
      supplier: order.supplier,
      source: order.source,
      received_at: order.received_at.toISOString(),
      lines,
    };
  }
}
