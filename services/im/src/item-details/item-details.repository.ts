import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from '@pjs/database';
import type { DbuProduct } from '../dbu-client/dbu-product';

/** A stored item_details row as the API shows it. */
export interface ItemDetailsRow {
  item_no: string;
  title: string | null;
  ean: string | null;
  manufacturer: string | null;
  license: string | null;
  category: string | null;
  release_date: string | null;
  rrp: string | null;
  image_url: string | null;
  photo_urls: string[];
  gpsr_complete: boolean;
  dbu_updated_at: Date | null;
  synced_at: Date;
}

const DETAILS_COLUMNS = `item_no, title, ean, manufacturer, license, category, to_char(release_date, 'YYYY-MM-DD') AS release_date,
  to_char(rrp, 'FM9999999990.00') AS rrp, image_url, photo_urls, gpsr_complete, dbu_updated_at, synced_at`;

/** Cuts a text to its column's length (DBU and IM agree, but a copy must never fail a batch). */
const cut = (value: string | null, max: number) => (value === null ? null : value.slice(0, max));

/** The DBU details IM keeps per item, and the queries the sync needs. Hand-written SQL. */
@Injectable()
export class ItemDetailsRepository {
  constructor(private readonly db: DataSource) {}

  /** Item numbers without details, in item_no order after `after` (keyset pages). */
  async missingItemNos(after: string | null, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ item_no: string }[]>(
      `SELECT i.item_no FROM items i
        WHERE NOT EXISTS (SELECT 1 FROM item_details d WHERE d.item_no = i.item_no)
          AND ($1::varchar IS NULL OR i.item_no > $1)
        ORDER BY i.item_no LIMIT $2`,
      [after, limit],
    );
    return rows.map((r) => r.item_no);
  }

  /** Every item number, in item_no order after `after` (keyset pages). */
  async allItemNos(after: string | null, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ item_no: string }[]>(
      `SELECT item_no FROM items WHERE ($1::varchar IS NULL OR item_no > $1) ORDER BY item_no LIMIT $2`,
      [after, limit],
    );
    return rows.map((r) => r.item_no);
  }

  async countMissing(): Promise<number> {
    const rows = await this.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM items i WHERE NOT EXISTS (SELECT 1 FROM item_details d WHERE d.item_no = i.item_no)`,
    );
    return rows[0]?.n ?? 0;
  }

  async countItems(): Promise<number> {
    const rows = await this.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM items`);
    return rows[0]?.n ?? 0;
  }

  /** Missing-details count and the age in seconds of the oldest item still missing them. */
  async lag(): Promise<{ missing: number; oldestSeconds: number }> {
    const rows = await this.db.query<{ missing: number; oldest: number }[]>(
      `SELECT count(*)::int AS missing, COALESCE(EXTRACT(EPOCH FROM now() - min(i.created_at)), 0)::float AS oldest
         FROM items i WHERE NOT EXISTS (SELECT 1 FROM item_details d WHERE d.item_no = i.item_no)`,
    );
    return { missing: rows[0]?.missing ?? 0, oldestSeconds: rows[0]?.oldest ?? 0 };
  }

  /** The subset of `itemNos` that are items of ours (deleted ones included). */
  async existingItemNos(itemNos: readonly string[]): Promise<string[]> {
    if (itemNos.length === 0) return [];
    const rows = await this.db.query<{ item_no: string }[]>(
      `SELECT item_no FROM items WHERE item_no = ANY($1::varchar[]) ORDER BY item_no`,
      [itemNos],
    );
    return rows.map((r) => r.item_no);
  }

  /**
   * Inserts or replaces the details of the given products in one statement, for the items we
   * hold (others are ignored). Returns how many rows were written.
   */
  async upsert(products: readonly DbuProduct[], manager: EntityManager | DataSource = this.db): Promise<number> {
    if (products.length === 0) return 0;
    const rows = products.map((p) => ({
      item_no: p.item_no,
      title: cut(p.title, 500),
      ean: cut(p.ean, 20),
      manufacturer: cut(p.manufacturer, 300),
      license: cut(p.license, 200),
      category: cut(p.category, 1000),
      release_date: p.release_date,
      rrp: p.rrp,
      image_url: p.image_url,
      photo_urls: p.photo_urls,
      gpsr_complete: p.gpsr_complete ?? false,
      dbu_updated_at: p.updated_at,
    }));
    const written = await manager.query<{ item_no: string }[]>(
      `INSERT INTO item_details AS d
              (item_no, title, ean, manufacturer, license, category, release_date, rrp, image_url, photo_urls,
               gpsr_complete, dbu_updated_at, synced_at)
       SELECT r.item_no, r.title, r.ean, r.manufacturer, r.license, r.category, r.release_date, r.rrp, r.image_url,
              coalesce(r.photo_urls, '[]'::jsonb), r.gpsr_complete, r.dbu_updated_at, now()
         FROM jsonb_to_recordset($1::jsonb) AS r(item_no varchar, title varchar, ean varchar, manufacturer varchar,
              license varchar, category varchar, release_date date, rrp numeric, image_url text, photo_urls jsonb,
              gpsr_complete boolean, dbu_updated_at timestamptz)
         JOIN items i ON i.item_no = r.item_no
       ON CONFLICT (item_no) DO UPDATE SET
              title = EXCLUDED.title, ean = EXCLUDED.ean, manufacturer = EXCLUDED.manufacturer,
              license = EXCLUDED.license, category = EXCLUDED.category, release_date = EXCLUDED.release_date,
              rrp = EXCLUDED.rrp, image_url = EXCLUDED.image_url, photo_urls = EXCLUDED.photo_urls,
              gpsr_complete = EXCLUDED.gpsr_complete,
              dbu_updated_at = EXCLUDED.dbu_updated_at, synced_at = EXCLUDED.synced_at
       RETURNING d.item_no`,
      [JSON.stringify(rows)],
    );
    return written.length;
  }

  /** Forgets every item's details (`pnpm im resync-catalogue`, before copying them all again). */
  async deleteAll(manager: EntityManager | DataSource = this.db): Promise<void> {
    await manager.query(`DELETE FROM item_details`);
  }

  async find(itemNo: string, manager: EntityManager | DataSource = this.db): Promise<ItemDetailsRow | undefined> {
    const rows = await manager.query<ItemDetailsRow[]>(
      `SELECT ${DETAILS_COLUMNS} FROM item_details WHERE item_no = $1`,
      [itemNo],
    );
    return rows[0];
  }
}
