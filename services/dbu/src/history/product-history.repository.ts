import { Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { isoUtc, queryRows, type SqlExecutor } from '../shared/sql';
import {
  TRACKED_PRODUCT_FIELDS,
  type HistoryEntry,
  type HistorySource,
  type HistorySourceType,
  type ProductChange,
} from './product-history.types';

const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/i;

/** Inserted rows, one per (item, changed tracked field), in field order. Shared by both writers. */
const DIFF_WHERE = `(b.j -> f.field) IS DISTINCT FROM (a.j -> f.field)
       AND (b.j IS NOT NULL OR a.j -> f.field <> 'null'::jsonb)`;

interface HistoryRow {
  id: string;
  field: string;
  old_value: string | null;
  new_value: string | null;
  source_type: HistorySourceType;
  source_ref: string | null;
  actor: string | null;
  changed_at: string;
}

/**
 * All SQL of `product_history`. Writers (the API, e-mail data, the import worker) record changes
 * set-wise inside their own transaction by passing their EntityManager / pg client.
 */
@Injectable()
export class ProductHistoryRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Records the changed tracked fields of many products from before/after row images
   * (`to_jsonb(p)::text`). A product with `before: null` is new: its non-null fields are recorded
   * with `old_value` null. Answers the number of history rows written.
   */
  async recordChanges(tx: SqlExecutor, changes: readonly ProductChange[], source: HistorySource): Promise<number> {
    if (changes.length === 0) return 0;
    const payload = `[${changes
      .map((c) => `{"item_no":${JSON.stringify(c.item_no)},"before":${c.before ?? 'null'},"after":${c.after}}`)
      .join(',')}]`;
    const rows = await queryRows<{ n: number }>(
      tx,
      `WITH d AS (
         SELECT item_no, NULLIF(before, 'null'::jsonb) AS before, after
           FROM jsonb_to_recordset($1::jsonb) AS r(item_no text, before jsonb, after jsonb)
       ), ins AS (
         INSERT INTO product_history (item_no, field, old_value, new_value, source_type, source_ref, actor)
         SELECT d.item_no, f.field, b.j ->> f.field, a.j ->> f.field, $3, $4, $5
           FROM d
          CROSS JOIN LATERAL (SELECT d.before AS j) b
          CROSS JOIN LATERAL (SELECT d.after AS j) a
          CROSS JOIN unnest($2::text[]) WITH ORDINALITY AS f(field, ord)
          WHERE ${DIFF_WHERE}
          ORDER BY d.item_no, f.ord
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM ins`,
      [payload, TRACKED_PRODUCT_FIELDS, source.type, source.ref ?? null, source.actor ?? null],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * The set-wise form for bulk writers: compares the current `products` rows of `items` (a SQL
   * query returning an `item_no` column) with the rows of `snapshot`, a table with the columns of
   * `products` taken before the write, e.g.
   * `CREATE TEMP TABLE before_import ON COMMIT DROP AS SELECT * FROM products WHERE item_no IN (…)`.
   * Items missing from the snapshot count as new. Run it in the writer's transaction, after the write.
   */
  async recordSnapshotDiff(
    tx: SqlExecutor,
    options: { snapshot: string; items: string },
    source: HistorySource,
  ): Promise<number> {
    if (!IDENTIFIER.test(options.snapshot)) throw new Error(`not a table name: ${options.snapshot}`);
    const rows = await queryRows<{ n: number }>(
      tx,
      `WITH ins AS (
         INSERT INTO product_history (item_no, field, old_value, new_value, source_type, source_ref, actor)
         SELECT p.item_no, f.field, b.j ->> f.field, a.j ->> f.field, $2, $3, $4
           FROM products p
          CROSS JOIN LATERAL (SELECT to_jsonb(p) AS j) a
           LEFT JOIN LATERAL (SELECT to_jsonb(s) AS j FROM ${options.snapshot} s WHERE s.item_no = p.item_no LIMIT 1) b
                  ON true
          CROSS JOIN unnest($1::text[]) WITH ORDINALITY AS f(field, ord)
          WHERE p.item_no IN (SELECT item_no FROM (${options.items}) AS items)
            AND ${DIFF_WHERE}
          ORDER BY p.item_no, f.ord
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM ins`,
      [TRACKED_PRODUCT_FIELDS, source.type, source.ref ?? null, source.actor ?? null],
    );
    return rows[0]?.n ?? 0;
  }

  /** A page of an item's history, newest first, optionally only changes up to `asOf`. */
  async list(
    itemNo: string,
    options: { asOf?: string; limit: number; offset: number },
  ): Promise<{ count: number; entries: HistoryEntry[] }> {
    const asOf = options.asOf ?? null;
    const [counted, rows] = await Promise.all([
      queryRows<{ n: number }>(
        this.db,
        `SELECT count(*)::int AS n FROM product_history
          WHERE item_no = $1 AND ($2::timestamptz IS NULL OR changed_at <= $2::timestamptz)`,
        [itemNo, asOf],
      ),
      queryRows<HistoryRow>(
        this.db,
        `SELECT id::text, field, old_value, new_value, source_type, source_ref, actor,
                ${isoUtc('changed_at')} AS changed_at
           FROM product_history
          WHERE item_no = $1 AND ($2::timestamptz IS NULL OR changed_at <= $2::timestamptz)
          ORDER BY changed_at DESC, id DESC
          LIMIT $3 OFFSET $4`,
        [itemNo, asOf, options.limit, options.offset],
      ),
    ]);
    return {
      count: counted[0]?.n ?? 0,
      entries: rows.map((r) => ({
        id: Number(r.id),
        field: r.field,
        old_value: r.old_value,
        new_value: r.new_value,
        source: { type: r.source_type, ref: r.source_ref },
        actor: r.actor,
        changed_at: r.changed_at,
      })),
    };
  }

  /** The changes made after `asOf`, newest first: undoing them in order gives the state at `asOf`. */
  async changesAfter(itemNo: string, asOf: string): Promise<{ field: string; old_value: string | null }[]> {
    return queryRows(
      this.db,
      `SELECT field, old_value FROM product_history
        WHERE item_no = $1 AND changed_at > $2::timestamptz
        ORDER BY changed_at DESC, id DESC`,
      [itemNo, asOf],
    );
  }

  async exists(itemNo: string): Promise<boolean> {
    const rows = await queryRows(this.db, `SELECT 1 FROM product_history WHERE item_no = $1 LIMIT 1`, [itemNo]);
    return rows.length > 0;
  }

  /**
   * The tracked fields' current text values, and whether the product existed at `asOf` (history's
   * as_of); undefined when there is no such item.
   */
  async trackedValues(
    itemNo: string,
    asOf: string | null,
  ): Promise<{ existed: boolean; values: Record<string, string | null> } | undefined> {
    const rows = await queryRows<{ existed: boolean; field: string; value: string | null }>(
      this.db,
      `SELECT ($3::timestamptz IS NULL OR p.created_at <= $3::timestamptz) AS existed,
              f.field, to_jsonb(p) ->> f.field AS value
         FROM products p CROSS JOIN unnest($2::text[]) AS f(field)
        WHERE p.item_no = $1`,
      [itemNo, TRACKED_PRODUCT_FIELDS, asOf],
    );
    if (rows.length === 0) return undefined;
    return { existed: rows[0].existed, values: Object.fromEntries(rows.map((r) => [r.field, r.value])) };
  }
}
