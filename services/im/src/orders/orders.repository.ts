import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from '@pjs/database';
import { formatCents } from './money';
import type { OrderLineView, OrderSource, OrderView, ReceiveLine } from './order.types';
import type { OrdersQuery } from './orders.schemas';

export interface OrderSummary {
  id: number;
  order_number: string;
  supplier: string | null;
  source: OrderSource;
  received_at: string;
  line_count: number;
  quantity: number;
  net_amount: string;
}

export interface OrdersPage {
  count: number;
  page: number;
  page_size: number;
  results: OrderSummary[];
}

/** `%`, `_` and `\` taken literally in an ILIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

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

  /** A page of orders, newest first; `search` matches a substring of the order number. */
  async list(query: OrdersQuery): Promise<OrdersPage> {
    const pattern = query.search?.trim() ? `%${likeLiteral(query.search.trim())}%` : null;
    const where = `WHERE ($1::text IS NULL OR o.order_number ILIKE $1)`;
    const counted: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM orders o ${where}`, [pattern]);
    const rows: (Omit<OrderSummary, 'received_at'> & { received_at: Date })[] = await this.db.query(
      `SELECT o.id, o.order_number, o.supplier, o.source, o.received_at,
              count(l.id)::int AS line_count, coalesce(sum(l.quantity), 0)::int AS quantity,
              to_char(coalesce(sum(l.net_amount), 0), 'FM9999999999990.00') AS net_amount
         FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
         ${where}
        GROUP BY o.id
        ORDER BY o.received_at DESC, o.id DESC
        LIMIT $2 OFFSET $3`,
      [pattern, query.page_size, (query.page - 1) * query.page_size],
    );
    return {
      count: counted[0]?.n ?? 0,
      page: query.page,
      page_size: query.page_size,
      results: rows.map((r) => ({ ...r, received_at: r.received_at.toISOString() })),
    };
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
