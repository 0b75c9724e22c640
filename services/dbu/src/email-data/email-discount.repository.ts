import { Injectable } from '@nestjs/common';
import { queryRows, type SqlExecutor } from '../shared/sql';

/** The ledger of applied (order, item) discount pairs: `email_discounts`. */
@Injectable()
export class EmailDiscountRepository {
  /** Records the pairs not seen before and answers their item numbers; known pairs are left alone. */
  async claim(
    tx: SqlExecutor,
    orderNumber: string,
    rows: readonly { item_no: string; percent: string | null; amount: string | null }[],
    actor: string | null,
  ): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const claimed = await queryRows<{ item_no: string }>(
      tx,
      `WITH ins AS (
         INSERT INTO email_discounts (order_number, item_no, discount_percent, discount_amount, actor)
         SELECT $1, v.item_no, v.percent, v.amount, $5
           FROM unnest($2::text[], $3::numeric[], $4::numeric[]) AS v(item_no, percent, amount)
         ON CONFLICT (order_number, item_no) DO NOTHING
         RETURNING item_no)
       SELECT item_no FROM ins`,
      [orderNumber, rows.map((r) => r.item_no), rows.map((r) => r.percent), rows.map((r) => r.amount), actor],
    );
    return new Set(claimed.map((r) => r.item_no));
  }
}
