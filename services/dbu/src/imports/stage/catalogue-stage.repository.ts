import { Injectable } from '@nestjs/common';
import type { Writable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { queryRows, type SqlExecutor } from '../../shared/sql';
import { CONTENT_HASH, STAGE_COPY_COLUMNS, STAGE_VALUE_COLUMNS } from './stage-columns';

/**
 * The staging table of one import: a temp table of the import's transaction (gone with it, so a
 * worker that dies leaves nothing behind) that the checked rows are COPYed into before the
 * merge compares them with the catalogue.
 */
@Injectable()
export class CatalogueStageRepository {
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
}
