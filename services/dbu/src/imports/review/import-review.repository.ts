import { Injectable } from '@nestjs/common';
import { queryRows, type SqlExecutor } from '../../shared/sql';
import { STAGE_VALUE_COLUMNS } from '../stage/stage-columns';

/** A product's image as the review compares it: any write to the row changes it. */
const PRODUCT_IMAGE_HASH = `md5(to_jsonb(p)::text)`;

export interface ImportReview {
  import_id: string;
  fields: string[];
  applied_import_id: string | null;
}

/**
 * All SQL of `import_reviews` and `import_review_rows`: what a dry run showed (the rows of its
 * diff as staged, and the image hash of each product they touch), for the apply of exactly that.
 */
@Injectable()
export class ImportReviewRepository {
  /**
   * Keeps the dry run's diff, inside the dry run's transaction: the staged rows of `import_delta`
   * that are new or change a field, with the current image hash of their product.
   */
  async save(tx: SqlExecutor, importId: string, fields: readonly string[]): Promise<void> {
    await tx.query(`INSERT INTO import_reviews (import_id, fields) VALUES ($1, $2::text[])`, [importId, fields]);
    await tx.query(
      `INSERT INTO import_review_rows (import_id, row_no, item_no, is_new, base_hash, stage)
       SELECT $1, d.row_no, d.item_no, d.is_new, CASE WHEN p.item_no IS NULL THEN NULL ELSE ${PRODUCT_IMAGE_HASH} END,
              to_jsonb(s) - 'content_hash' - 'errors' - 'raw'
         FROM import_delta d
         JOIN import_stage s ON s.row_no = d.row_no
         LEFT JOIN products p ON p.item_no = d.item_no
        WHERE d.changed`,
      [importId],
    );
  }

  /** The review of a dry run, locked for its apply; undefined when the run kept none. */
  async lock(tx: SqlExecutor, importId: string): Promise<ImportReview | undefined> {
    const rows = await queryRows<ImportReview>(
      tx,
      `SELECT import_id, fields, applied_import_id FROM import_reviews WHERE import_id = $1 FOR UPDATE`,
      [importId],
    );
    return rows[0];
  }

  /**
   * The items of the review whose product changed since the dry run (or, for a new item, was
   * created since), at most `limit` of them, and how many there are. Locks the existing products
   * of the review first, so none can change between this check and the apply.
   */
  async changedSince(tx: SqlExecutor, importId: string, limit: number): Promise<{ count: number; items: string[] }> {
    await tx.query(
      `SELECT 1 FROM products p
        WHERE p.item_no IN (SELECT item_no FROM import_review_rows WHERE import_id = $1)
        ORDER BY p.item_no FOR UPDATE`,
      [importId],
    );
    const rows = await queryRows<{ item_no: string; total: number }>(
      tx,
      `SELECT r.item_no, count(*) OVER ()::int AS total
         FROM import_review_rows r
         LEFT JOIN products p ON p.item_no = r.item_no
        WHERE r.import_id = $1
          AND r.base_hash IS DISTINCT FROM (CASE WHEN p.item_no IS NULL THEN NULL ELSE ${PRODUCT_IMAGE_HASH} END)
        ORDER BY r.row_no
        LIMIT $2`,
      [importId, limit],
    );
    return { count: rows[0]?.total ?? 0, items: rows.map((r) => r.item_no) };
  }

  /** Puts the reviewed rows back into the (fresh) staging table; answers how many. */
  async restage(tx: SqlExecutor, importId: string): Promise<number> {
    const columns = STAGE_VALUE_COLUMNS.join(', ');
    const rows = await queryRows<{ n: number }>(
      tx,
      `WITH ins AS (
         INSERT INTO import_stage (row_no, ${columns})
         SELECT r.row_no, ${STAGE_VALUE_COLUMNS.map((c) => `x.${c}`).join(', ')}
           FROM import_review_rows r, jsonb_populate_record(NULL::import_stage, r.stage) x
          WHERE r.import_id = $1
         RETURNING 1
       ) SELECT count(*)::int AS n FROM ins`,
      [importId],
    );
    return rows[0]?.n ?? 0;
  }

  async markApplied(tx: SqlExecutor, importId: string, appliedImportId: string): Promise<void> {
    await tx.query(`UPDATE import_reviews SET applied_import_id = $2, applied_at = now() WHERE import_id = $1`, [
      importId,
      appliedImportId,
    ]);
  }
}
