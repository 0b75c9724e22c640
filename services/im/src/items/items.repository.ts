import { Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { toMovementView } from '../stock/stock.repository';
import type { MovementType, MovementView } from '../stock/stock.types';

export interface MovementsPage {
  item_no: string;
  quantity: number;
  is_deleted: boolean;
  /** Σ amount over the whole ledger of the item; always equals `quantity`. */
  ledger_sum: number;
  count: number;
  page: number;
  page_size: number;
  results: MovementView[];
}

/** Read side of one item: its ledger. */
@Injectable()
export class ItemsRepository {
  constructor(private readonly db: DataSource) {}

  /** Movements newest first; null when the item never existed (deleted items keep their history). */
  async movements(itemNo: string, page: number, pageSize: number): Promise<MovementsPage | null> {
    const items = await this.db.query<
      { id: number; quantity: number; is_deleted: boolean; count: string; ledger_sum: string }[]
    >(
      `SELECT i.id, i.quantity, i.is_deleted, count(m.id)::text AS count, coalesce(sum(m.amount), 0)::text AS ledger_sum
         FROM items i LEFT JOIN stock_movements m ON m.item_id = i.id
        WHERE i.item_no = $1
        GROUP BY i.id`,
      [itemNo],
    );
    const item = items[0];
    if (!item) return null;
    const rows = await this.db.query<
      {
        id: string;
        type: MovementType;
        amount: number;
        balance_after: number;
        order_id: string | null;
        actor: string;
        reason: string | null;
        created_at: Date;
      }[]
    >(
      `SELECT m.id::text, m.type, m.amount, m.balance_after, o.order_number AS order_id, m.actor, m.reason, m.created_at
         FROM stock_movements m LEFT JOIN orders o ON o.id = m.order_id
        WHERE m.item_id = $1
        ORDER BY m.id DESC
        LIMIT $2 OFFSET $3`,
      [item.id, pageSize, (page - 1) * pageSize],
    );
    return {
      item_no: itemNo,
      quantity: item.quantity,
      is_deleted: item.is_deleted,
      ledger_sum: Number(item.ledger_sum),
      count: Number(item.count),
      page,
      page_size: pageSize,
      results: rows.map(toMovementView),
    };
  }
}
