import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from '@pjs/database';
import { PRODUCT_JOINS, PRODUCT_LIST_JSON } from '../products/product.queries';
import { poolOf, prepared, queryRows } from '../shared/sql';
import type { ChangeCursor } from './change-cursor';

/** One page of the change log as read in one snapshot. */
export interface ChangePageRow {
  /** `pg_snapshot_xmin` of the read: every transaction below it had finished. */
  xmin: string;
  horizon_txid: string;
  horizon_id: string;
  n: number;
  last_txid: string | null;
  last_id: string | null;
  /** JSON array text of `{item_no, deleted, product}`. */
  results: string;
}

/** The oldest transaction still running, as the reading statement's snapshot sees it. */
const XMIN = `(SELECT pg_snapshot_xmin(pg_current_snapshot()))`;

/**
 * The page, the horizon and the snapshot bound in one statement, hence one snapshot: a change
 * removed by retention after this read moves the horizon in the same commit, so a read either
 * sees both or neither. Only transactions below the snapshot's xmin are read: each of them has
 * committed (or rolled back), so no later commit can add a change before the returned cursor.
 */
const PAGE_SQL = `WITH horizon AS (SELECT txid, id FROM product_changes_horizon),
  page AS MATERIALIZED (
    SELECT ch.txid, ch.id, ch.item_no FROM product_changes ch
     WHERE (ch.txid, ch.id) > (coalesce($1::xid8, (SELECT txid FROM horizon)), coalesce($2::bigint, (SELECT id FROM horizon)))
       AND ch.txid < ${XMIN}
     ORDER BY ch.txid, ch.id
     LIMIT $3)
SELECT ${XMIN}::text AS xmin, h.txid::text AS horizon_txid, h.id::text AS horizon_id,
       (SELECT count(*) FROM page)::int AS n, last.txid::text AS last_txid, last.id::text AS last_id,
       coalesce((
         SELECT json_agg(json_build_object(
                  'item_no', pg.item_no,
                  'deleted', p.item_no IS NULL OR p.is_deleted,
                  'product', CASE WHEN p.item_no IS NULL THEN NULL ELSE ${PRODUCT_LIST_JSON} END)
                ORDER BY pg.txid, pg.id)
           FROM page pg LEFT JOIN products p ON p.item_no = pg.item_no ${PRODUCT_JOINS}), '[]'::json)::text AS results
  FROM horizon h
  LEFT JOIN LATERAL (SELECT txid, id FROM page ORDER BY txid DESC, id DESC LIMIT 1) last ON true`;

/** The SQL of `product_changes` (written by triggers on `products`, see the migration). */
@Injectable()
export class ProductChangeRepository {
  private readonly pool: Pool;

  constructor(private readonly db: DataSource) {
    this.pool = poolOf(db);
  }

  /** Up to `limit` changes after `after` (or after the horizon), in log order. */
  async page(after: ChangeCursor | undefined, limit: number): Promise<ChangePageRow> {
    const result = await this.pool.query<ChangePageRow>(
      prepared(PAGE_SQL, [after?.txid.toString() ?? null, after?.id.toString() ?? null, limit]),
    );
    return result.rows[0];
  }

  /**
   * Removes changes that a newer change of the same item supersedes (readers get the current
   * product either way). Only finished transactions are touched. Answers the rows removed.
   */
  async compact(): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      this.db,
      `WITH superseded AS (
              SELECT txid, id FROM (
                SELECT txid, id, row_number() OVER (PARTITION BY item_no ORDER BY txid DESC, id DESC) AS newer
                  FROM product_changes WHERE txid < pg_snapshot_xmin(pg_current_snapshot())) ranked
               WHERE newer > 1),
            gone AS (
              DELETE FROM product_changes ch USING superseded s WHERE ch.txid = s.txid AND ch.id = s.id RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Removes the changes older than `olderThanMs` (a prefix of the log, up to the newest such
   * change of a finished transaction) and moves the horizon there in the same statement. Readers
   * whose cursor lies below the new horizon are told to start over.
   */
  async expire(olderThanMs: number): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      this.db,
      `WITH cut AS (
              SELECT txid, id FROM product_changes
               WHERE changed_at < now() - $1::bigint * interval '1 millisecond'
                 AND txid < pg_snapshot_xmin(pg_current_snapshot())
               ORDER BY txid DESC, id DESC LIMIT 1),
            gone AS (
              DELETE FROM product_changes ch USING cut WHERE (ch.txid, ch.id) <= (cut.txid, cut.id) RETURNING 1),
            moved AS (
              UPDATE product_changes_horizon h SET txid = cut.txid, id = cut.id FROM cut
               WHERE (cut.txid, cut.id) > (h.txid, h.id) RETURNING 1)
       SELECT (SELECT count(*) FROM gone)::int AS n, (SELECT count(*) FROM moved)::int AS moved`,
      [Math.round(olderThanMs)],
    );
    return rows[0]?.n ?? 0;
  }

  /** Rows in the log (for the CLI's summary). */
  async size(): Promise<number> {
    const rows = await queryRows<{ n: number }>(this.db, `SELECT count(*)::int AS n FROM product_changes`);
    return rows[0]?.n ?? 0;
  }
}
