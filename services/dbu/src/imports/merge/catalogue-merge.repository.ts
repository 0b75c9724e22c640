import { Injectable } from '@nestjs/common';
import { queryRows, type SqlExecutor } from '../../shared/sql';
import { ensureCategoryPaths } from './category-paths';
import type { MergePlan } from './merge-sql';

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
 * The set-wise merge of the staging table into `products`, in the import's transaction: which
 * rows are new or changed (`import_delta`), the names and categories they need, the history of
 * each changed field, then the updates and inserts. Each statement only touches the fields the
 * file provides (the MergePlan).
 */
@Injectable()
export class CatalogueMergeRepository {
  /**
   * The rows that are new or whose fingerprint differs from the product's, each flagged as
   * changed when a mapped field really differs (else only the fingerprint is refreshed).
   * Unchanged rows never get this far, which is what makes a re-import cheap.
   */
  async computeDelta(tx: SqlExecutor, plan: MergePlan): Promise<DiffCounts> {
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
    const differs = plan.fields.map((f) => f.differs);
    await tx.query(`ANALYZE import_delta`);
    const changed = await queryRows<{ n: number }>(
      tx,
      `WITH upd AS (
         UPDATE import_delta d SET changed = (${differs.length ? differs.join(' OR ') : 'false'})
           FROM import_stage s, products p
           ${plan.oldLookups}
          WHERE NOT d.is_new AND s.row_no = d.row_no AND p.item_no = d.item_no
          RETURNING d.changed
       ) SELECT count(*) FILTER (WHERE changed)::int AS n FROM upd`,
    );
    return { new: sizes.new, changed: changed[0]?.n ?? 0, candidates: sizes.candidates };
  }

  /** Up to `limit` new item numbers and changed items with their field-level changes (readable values). */
  async sample(tx: SqlExecutor, plan: MergePlan, limit = 20): Promise<DiffSample> {
    const newItems = await queryRows<{ item_no: string }>(
      tx,
      `SELECT item_no FROM import_delta WHERE is_new ORDER BY row_no LIMIT $1`,
      [limit],
    );
    const values = plan.fields.map((f) => `('${f.field}', ${f.sampleOld}, ${f.sampleNew})`);
    const changes = values.length
      ? await queryRows<{ item_no: string; changes: FieldChange[] }>(
          tx,
          `SELECT d.item_no, json_agg(json_build_object('field', v.field, 'old', v.old, 'new', v.new)) AS changes
             FROM (SELECT * FROM import_delta WHERE changed AND NOT is_new ORDER BY row_no LIMIT $1) d
             JOIN import_stage s ON s.row_no = d.row_no
             JOIN products p ON p.item_no = d.item_no
             ${plan.oldLookups}
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
  async ensureLookups(tx: SqlExecutor, plan: MergePlan): Promise<void> {
    const names = plan.names();
    const categories = plan.categories();
    if (names.length + categories.length === 0) return;
    // One pass over the written rows collects the few distinct names.
    const groups = [...names.map((f) => `s.${f.name}_key`), ...categories.map((f) => `s.${f.name}`)];
    const spellings = names.map((f) => `min(s.${f.name}) AS ${f.name}`);
    await tx.query(
      `CREATE TEMP TABLE import_names ON COMMIT DROP AS
       SELECT ${[...groups, ...spellings].join(', ')}
         FROM import_delta d JOIN import_stage s ON s.row_no = d.row_no
        WHERE d.changed
        GROUP BY ${groups.join(', ')}`,
    );
    for (const f of names) {
      await tx.query(
        `INSERT INTO ${f.names} (name, name_key)
         SELECT min(${f.name}), ${f.name}_key FROM import_names WHERE ${f.name}_key IS NOT NULL GROUP BY ${f.name}_key
         ON CONFLICT (name_key) DO NOTHING`,
      );
    }
    for (const f of categories) {
      const paths = await queryRows<{ path: string }>(
        tx,
        `SELECT DISTINCT n.${f.name} AS path FROM import_names n
          WHERE n.${f.name} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM categories c WHERE c.path = n.${f.name})`,
      );
      await ensureCategoryPaths(
        tx,
        paths.map((p) => p.path),
      );
    }
  }

  /** History rows for each changed field of changed products (before they are updated). */
  async writeHistory(tx: SqlExecutor, plan: MergePlan, importId: string, actor: string | null): Promise<number> {
    if (plan.fields.length === 0) return 0;
    const values = plan.fields.map((f) => `('${f.column}', ${f.historyOld}, ${f.historyNew})`);
    const rows = await queryRows<{ n: number }>(
      tx,
      `WITH ins AS (
         INSERT INTO product_history (item_no, field, old_value, new_value, source_type, source_ref, actor)
         SELECT d.item_no, v.field, v.old_value, v.new_value, 'import', $1, $2
           FROM import_delta d
           JOIN import_stage s ON s.row_no = d.row_no
           JOIN products p ON p.item_no = d.item_no
           ${plan.newLookups}
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
  async updateChanged(tx: SqlExecutor, plan: MergePlan, importId: string): Promise<void> {
    const sets = plan.fields.map((f) => `${f.column} = ${f.value}`);
    await tx.query(
      `UPDATE products p SET ${sets.map((s) => `${s}, `).join('')}content_hash = s.content_hash,
              last_import_id = CASE WHEN d.changed THEN $1::uuid ELSE p.last_import_id END,
              updated_at = CASE WHEN d.changed THEN now() ELSE p.updated_at END
         FROM import_delta d
         JOIN import_stage s ON s.row_no = d.row_no
         ${plan.newLookups}
        WHERE NOT d.is_new AND p.item_no = d.item_no`,
      [importId],
    );
  }

  /** Inserts the new products; answers how many were inserted. */
  async insertNew(tx: SqlExecutor, plan: MergePlan, importId: string): Promise<number> {
    const columns = plan.fields.map((f) => f.column);
    const values = plan.fields.map((f) => f.value);
    const rows = await queryRows<{ n: number }>(
      tx,
      `WITH ins AS (
         INSERT INTO products (item_no, ${columns.map((c) => `${c}, `).join('')}content_hash, last_import_id)
         SELECT s.item_no, ${values.map((v) => `${v}, `).join('')}s.content_hash, $1::uuid
           FROM import_delta d
           JOIN import_stage s ON s.row_no = d.row_no
           ${plan.newLookups}
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
}
