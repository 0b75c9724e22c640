import type { Writable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { queryRows, type SqlExecutor } from '../catalogue/sql';
import type { CatalogueField } from '../import-profiles/column-mapping';
import { STAGE_COPY_COLUMNS, STAGE_VALUE_COLUMNS } from './catalogue-row.encoder';
import { CATEGORY_SEPARATOR } from './field-parsers';

/** Serialises catalogue merges (imports and GPSR runs) across workers and the CLI, until commit. */
export async function lockCatalogueForMerge(tx: SqlExecutor): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('dbu.catalogue.merge'))`);
}

/** How one mapped field is written, compared and shown. Aliases: s stage, p product, pX/nX old/new lookup. */
interface FieldSql {
  column: string;
  value: string;
  differs: string;
  historyOld: string;
  historyNew: string;
  sampleOld: string;
  sampleNew: string;
}

const text = (c: string): FieldSql => ({
  column: c,
  value: `s.${c}`,
  differs: `p.${c} IS DISTINCT FROM s.${c}`,
  historyOld: `p.${c}::text`,
  historyNew: `s.${c}`,
  sampleOld: `p.${c}::text`,
  sampleNew: `s.${c}`,
});
const numeric = (c: string): FieldSql => ({
  ...text(c),
  value: `s.${c}::numeric`,
  differs: `p.${c} IS DISTINCT FROM s.${c}::numeric`,
});

const FIELD_SQL: Record<Exclude<CatalogueField, 'item_no'>, FieldSql> = {
  ean: text('ean'),
  title: text('title'),
  description: text('description'),
  image_url: text('image_url'),
  safety_warnings: text('safety_warnings'),
  purchase_price: numeric('purchase_price'),
  rrp: numeric('rrp'),
  weight_kg: numeric('weight_kg'),
  release_date: {
    column: 'release_date',
    value: `s.release_date::date`,
    differs: `p.release_date IS DISTINCT FROM s.release_date::date`,
    historyOld: `to_char(p.release_date, 'YYYY-MM-DD')`,
    historyNew: `s.release_date`,
    sampleOld: `to_char(p.release_date, 'YYYY-MM-DD')`,
    sampleNew: `s.release_date`,
  },
  manufacturer: {
    column: 'manufacturer_id',
    value: `nm.id`,
    differs: `pm.name_key IS DISTINCT FROM s.manufacturer_key`,
    historyOld: `p.manufacturer_id::text`,
    historyNew: `nm.id::text`,
    sampleOld: `pm.name::text`,
    sampleNew: `s.manufacturer`,
  },
  license: {
    column: 'license_id',
    value: `nl.id`,
    differs: `pl.name_key IS DISTINCT FROM s.license_key`,
    historyOld: `p.license_id::text`,
    historyNew: `nl.id::text`,
    sampleOld: `pl.name::text`,
    sampleNew: `s.license`,
  },
  category: {
    column: 'category_id',
    value: `nc.id`,
    differs: `pc.path IS DISTINCT FROM s.category`,
    historyOld: `p.category_id::text`,
    historyNew: `nc.id::text`,
    sampleOld: `pc.path::text`,
    sampleNew: `s.category`,
  },
};

const OLD_LOOKUPS: Partial<Record<CatalogueField, string>> = {
  manufacturer: `LEFT JOIN manufacturers pm ON pm.id = p.manufacturer_id`,
  license: `LEFT JOIN licenses pl ON pl.id = p.license_id`,
  category: `LEFT JOIN categories pc ON pc.id = p.category_id`,
};
const NEW_LOOKUPS: Partial<Record<CatalogueField, string>> = {
  manufacturer: `LEFT JOIN manufacturers nm ON nm.name_key = s.manufacturer_key`,
  license: `LEFT JOIN licenses nl ON nl.name_key = s.license_key`,
  category: `LEFT JOIN categories nc ON nc.path = s.category`,
};

/** The fingerprint of a staged row: every content column (lookup keys, not display names). */
const HASHED = STAGE_VALUE_COLUMNS.filter((c) => c !== 'manufacturer' && c !== 'license');
const CONTENT_HASH = `md5('v1' || ${HASHED.map((c) => `E'\\x1f' || coalesce(${c}, E'\\x1e')`).join(' || ')})`;

export interface FieldChange {
  field: string;
  old: string | null;
  new: string | null;
}

export interface DiffCounts {
  new: number;
  changed: number;
  /** Existing products whose fingerprint differs (changed, or only the fingerprint is refreshed). */
  candidates: number;
}

export interface DiffSample {
  new_items: string[];
  changes: { item_no: string; changes: FieldChange[] }[];
}

/**
 * The staging table of one import (a temp table of the import's transaction, gone with it, so a
 * worker that dies leaves nothing behind) and the set-wise merge into `products`.
 */
export class CatalogueStageRepository {
  private readonly fields: Exclude<CatalogueField, 'item_no'>[];

  /** `mapped`: the catalogue fields the file provides; only those are compared and written. */
  constructor(mapped: readonly CatalogueField[]) {
    this.fields = mapped.filter((f): f is Exclude<CatalogueField, 'item_no'> => f !== 'item_no');
  }

  async createStage(tx: SqlExecutor): Promise<void> {
    const columns = STAGE_VALUE_COLUMNS.map((c) => `${c} text`).join(', ');
    await tx.query(
      `CREATE TEMP TABLE import_stage (
         row_no integer NOT NULL, ${columns}, errors text, raw text,
         content_hash char(32) GENERATED ALWAYS AS (${CONTENT_HASH}) STORED
       ) ON COMMIT DROP`,
    );
  }

  /** A COPY stream into the stage; write COPY text lines (see CatalogueRowEncoder). */
  copyIn(client: PoolClient): Writable {
    return client.query(copyFrom(`COPY import_stage (${STAGE_COPY_COLUMNS.join(', ')}) FROM STDIN`));
  }

  /**
   * Valid rows whose item number appears again later in the file, with the winning (last) row.
   * Only `suspects` (every item number seen twice, see ItemBloomFilter) are looked at.
   */
  async supersededRows(
    tx: SqlExecutor,
    suspects: ReadonlySet<string>,
  ): Promise<{ row_no: number; item_no: string; winner: number }[]> {
    if (suspects.size === 0) return [];
    return queryRows(
      tx,
      `WITH candidates AS (
         SELECT row_no, item_no FROM import_stage WHERE errors IS NULL AND item_no = ANY($1::text[])
       ), ranked AS (
         SELECT row_no, item_no, max(row_no) OVER (PARTITION BY item_no) AS winner FROM candidates
       )
       SELECT row_no, item_no, winner FROM ranked WHERE row_no < winner ORDER BY row_no`,
      [[...suspects]],
    );
  }

  /** Marks rows rejected after the fact (duplicates), with their source cells. */
  async rejectRows(tx: SqlExecutor, rows: { row_no: number; errors: string; raw: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `UPDATE import_stage s SET errors = v.errors, raw = v.raw
         FROM jsonb_to_recordset($1::jsonb) AS v(row_no integer, errors text, raw text)
        WHERE s.row_no = v.row_no`,
      [JSON.stringify(rows)],
    );
  }

  /**
   * The rows that are new or whose fingerprint differs from the product's, each flagged as
   * changed when a mapped field really differs (else only the fingerprint is refreshed).
   * Unchanged rows never get this far, which is what makes a re-import cheap.
   */
  async computeDelta(tx: SqlExecutor): Promise<DiffCounts> {
    // Narrow first (the hash table holds only item_no and the fingerprint of each product) ...
    await tx.query(
      `CREATE TEMP TABLE import_delta ON COMMIT DROP AS
       SELECT s.row_no, s.item_no, (p.item_no IS NULL) AS is_new, CASE WHEN p.item_no IS NULL THEN true END AS changed
         FROM import_stage s
         LEFT JOIN products p ON p.item_no = s.item_no
        WHERE s.errors IS NULL AND p.content_hash IS DISTINCT FROM s.content_hash`,
    );
    const [sizes] = await queryRows<{ new: number; candidates: number }>(
      tx,
      `SELECT count(*) FILTER (WHERE is_new)::int AS new, count(*) FILTER (WHERE NOT is_new)::int AS candidates
         FROM import_delta`,
    );
    if (!sizes || sizes.candidates === 0) return { new: sizes?.new ?? 0, changed: 0, candidates: 0 };
    // ... then compare the fields of the rows whose fingerprint differs.
    const differs = this.fields.map((f) => FIELD_SQL[f].differs);
    await tx.query(`ANALYZE import_delta`);
    const changed = await queryRows<{ n: number }>(
      tx,
      `WITH upd AS (
         UPDATE import_delta d SET changed = (${differs.length ? differs.join(' OR ') : 'false'})
           FROM import_stage s, products p
           ${this.joins(OLD_LOOKUPS)}
          WHERE NOT d.is_new AND s.row_no = d.row_no AND p.item_no = d.item_no
          RETURNING d.changed
       ) SELECT count(*) FILTER (WHERE changed)::int AS n FROM upd`,
    );
    return { new: sizes.new, changed: changed[0]?.n ?? 0, candidates: sizes.candidates };
  }

  /** Up to `limit` new item numbers and changed items with their field-level changes (readable values). */
  async sample(tx: SqlExecutor, limit = 20): Promise<DiffSample> {
    const newItems = await queryRows<{ item_no: string }>(
      tx,
      `SELECT item_no FROM import_delta WHERE is_new ORDER BY row_no LIMIT $1`,
      [limit],
    );
    const values = this.fields.map((f) => `('${f}', ${FIELD_SQL[f].sampleOld}, ${FIELD_SQL[f].sampleNew})`);
    const changes = values.length
      ? await queryRows<{ item_no: string; changes: FieldChange[] }>(
          tx,
          `SELECT d.item_no, json_agg(json_build_object('field', v.field, 'old', v.old, 'new', v.new)) AS changes
             FROM (SELECT * FROM import_delta WHERE changed AND NOT is_new ORDER BY row_no LIMIT $1) d
             JOIN import_stage s ON s.row_no = d.row_no
             JOIN products p ON p.item_no = d.item_no
             ${this.joins(OLD_LOOKUPS)}
            CROSS JOIN LATERAL (VALUES ${values.join(', ')}) AS v(field, old, new)
            WHERE v.old IS DISTINCT FROM v.new
            GROUP BY d.item_no, d.row_no
            ORDER BY d.row_no`,
          [limit],
        )
      : [];
    return { new_items: newItems.map((r) => r.item_no), changes };
  }

  /** Creates the manufacturers, licenses and categories the written rows name (by key / path). */
  async ensureLookups(tx: SqlExecutor): Promise<void> {
    const lookups = (['manufacturer', 'license', 'category'] as const).filter((f) => this.fields.includes(f));
    if (lookups.length === 0) return;
    // One pass over the written rows collects the few distinct names.
    const groups = [
      ...(lookups.includes('manufacturer') ? ['s.manufacturer_key'] : []),
      ...(lookups.includes('license') ? ['s.license_key'] : []),
      ...(lookups.includes('category') ? ['s.category'] : []),
    ];
    const names = [
      ...(lookups.includes('manufacturer') ? ['min(s.manufacturer) AS manufacturer'] : []),
      ...(lookups.includes('license') ? ['min(s.license) AS license'] : []),
    ];
    await tx.query(
      `CREATE TEMP TABLE import_names ON COMMIT DROP AS
       SELECT ${[...groups, ...names].join(', ')}
         FROM import_delta d JOIN import_stage s ON s.row_no = d.row_no
        WHERE d.changed
        GROUP BY ${groups.join(', ')}`,
    );
    for (const [field, table] of [
      ['manufacturer', 'manufacturers'],
      ['license', 'licenses'],
    ] as const) {
      if (!lookups.includes(field)) continue;
      await tx.query(
        `INSERT INTO ${table} (name, name_key)
         SELECT min(${field}), ${field}_key FROM import_names WHERE ${field}_key IS NOT NULL GROUP BY ${field}_key
         ON CONFLICT (name_key) DO NOTHING`,
      );
    }
    if (!lookups.includes('category')) return;
    const paths = await queryRows<{ category: string }>(
      tx,
      `SELECT DISTINCT n.category FROM import_names n
        WHERE n.category IS NOT NULL AND NOT EXISTS (SELECT 1 FROM categories c WHERE c.path = n.category)`,
    );
    await ensureCategoryPaths(
      tx,
      paths.map((p) => p.category),
    );
  }

  /** History rows for each changed field of changed products (before they are updated). */
  async writeHistory(tx: SqlExecutor, importId: string, actor: string | null): Promise<number> {
    if (this.fields.length === 0) return 0;
    const values = this.fields.map(
      (f) => `('${FIELD_SQL[f].column}', ${FIELD_SQL[f].historyOld}, ${FIELD_SQL[f].historyNew})`,
    );
    const rows = await queryRows<{ n: number }>(
      tx,
      `WITH ins AS (
         INSERT INTO product_history (item_no, field, old_value, new_value, source_type, source_ref, actor)
         SELECT d.item_no, v.field, v.old_value, v.new_value, 'import', $1, $2
           FROM import_delta d
           JOIN import_stage s ON s.row_no = d.row_no
           JOIN products p ON p.item_no = d.item_no
           ${this.joins(NEW_LOOKUPS)}
          CROSS JOIN LATERAL (VALUES ${values.join(', ')}) AS v(field, old_value, new_value)
          WHERE d.changed AND NOT d.is_new AND v.old_value IS DISTINCT FROM v.new_value
          ORDER BY d.row_no
         RETURNING 1
       ) SELECT count(*)::int AS n FROM ins`,
      [importId, actor],
    );
    return rows[0]?.n ?? 0;
  }

  /** Updates changed products (and refreshes the fingerprint of rows that only differ in it). */
  async updateChanged(tx: SqlExecutor, importId: string): Promise<void> {
    const sets = this.fields.map((f) => `${FIELD_SQL[f].column} = ${FIELD_SQL[f].value}`);
    await tx.query(
      `UPDATE products p SET ${sets.map((s) => `${s}, `).join('')}content_hash = s.content_hash,
              last_import_id = CASE WHEN d.changed THEN $1::uuid ELSE p.last_import_id END,
              updated_at = CASE WHEN d.changed THEN now() ELSE p.updated_at END
         FROM import_delta d
         JOIN import_stage s ON s.row_no = d.row_no
         ${this.joins(NEW_LOOKUPS)}
        WHERE NOT d.is_new AND p.item_no = d.item_no`,
      [importId],
    );
  }

  /** Inserts the new products; answers how many were inserted. */
  async insertNew(tx: SqlExecutor, importId: string): Promise<number> {
    const columns = this.fields.map((f) => FIELD_SQL[f].column);
    const values = this.fields.map((f) => FIELD_SQL[f].value);
    const rows = await queryRows<{ n: number }>(
      tx,
      `WITH ins AS (
         INSERT INTO products (item_no, ${columns.map((c) => `${c}, `).join('')}content_hash, last_import_id)
         SELECT s.item_no, ${values.map((v) => `${v}, `).join('')}s.content_hash, $1::uuid
           FROM import_delta d
           JOIN import_stage s ON s.row_no = d.row_no
           ${this.joins(NEW_LOOKUPS)}
          WHERE d.is_new
         ON CONFLICT (item_no) DO NOTHING
         RETURNING 1
       ) SELECT count(*)::int AS n FROM ins`,
      [importId],
    );
    return rows[0]?.n ?? 0;
  }

  /** The new and changed item numbers when there are at most `limit` of them (for the event). */
  async changedItemNos(tx: SqlExecutor, limit: number): Promise<string[] | undefined> {
    const rows = await queryRows<{ item_no: string }>(
      tx,
      `SELECT item_no FROM import_delta WHERE changed ORDER BY item_no LIMIT $1`,
      [limit + 1],
    );
    return rows.length > limit ? undefined : rows.map((r) => r.item_no);
  }

  private joins(lookups: Partial<Record<CatalogueField, string>>): string {
    return this.fields
      .map((f) => lookups[f])
      .filter(Boolean)
      .join('\n');
  }
}

/** Creates missing categories of `A > B > C` paths, parents first (idempotent). */
export async function ensureCategoryPaths(tx: SqlExecutor, paths: readonly string[]): Promise<void> {
  const levels = new Map<number, Map<string, { name: string; parent: string | null }>>();
  for (const path of paths) {
    const parts = path.split(CATEGORY_SEPARATOR);
    for (let depth = 1; depth <= parts.length; depth += 1) {
      const prefix = parts.slice(0, depth).join(CATEGORY_SEPARATOR);
      const level = levels.get(depth) ?? new Map<string, { name: string; parent: string | null }>();
      levels.set(depth, level);
      level.set(prefix, {
        name: parts[depth - 1],
        parent: depth > 1 ? parts.slice(0, depth - 1).join(CATEGORY_SEPARATOR) : null,
      });
    }
  }
  for (const depth of [...levels.keys()].sort((a, b) => a - b)) {
    const entries = [...levels.get(depth)!.entries()];
    await tx.query(
      `INSERT INTO categories (name, parent_id, path)
       SELECT v.name, parent.id, v.path
         FROM unnest($1::text[], $2::text[], $3::text[]) AS v(path, name, parent_path)
         LEFT JOIN categories parent ON parent.path = v.parent_path
       ON CONFLICT (path) DO NOTHING`,
      [entries.map(([p]) => p), entries.map(([, e]) => e.name), entries.map(([, e]) => e.parent)],
    );
  }
}
