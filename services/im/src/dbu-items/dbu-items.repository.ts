import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@pjs/database';

/** The inventory rows confirm-item creates. */
@Injectable()
export class DbuItemsRepository {
  /**
   * Creates the item (quantity 0, visible) unless it exists; never touches an existing one (a
   * soft-deleted item stays deleted). True when it was created. No stock movement is booked: the
   * balance starts at 0, which the empty ledger already sums to.
   */
  async ensureItem(manager: EntityManager, itemNo: string, title: string): Promise<boolean> {
    const rows = await manager.query<{ id: number }[]>(
      `INSERT INTO items (item_no, title) VALUES ($1, $2) ON CONFLICT (item_no) DO NOTHING RETURNING id`,
      [itemNo, title.slice(0, 500)],
    );
    return rows.length > 0;
  }
}
