import { Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { isoUtc, queryRows, type SqlExecutor } from '../../shared/sql';
import type {
  ImportCounts,
  ImportKind,
  ImportPhase,
  ImportRunRow,
  ImportStatus,
  NewImportRun,
  RejectedRow,
} from './import-run.types';

const COLUMNS = `id, kind, status, phase, dry_run, force, error_policy, source, requested_by, profile_id, settings,
  file_name, file_sha256, file_size::text AS file_size, file_format, header, column_mapping, unmapped_columns,
  rows_total, rows_done, rows_per_second::text AS rows_per_second, progress_percent::text AS progress_percent,
  new_count, changed_count, unchanged_count, invalid_count, blank_count, diff, details, error, attempts,
  signal_status, signal_attempts, signal_error, ${isoUtc('signal_delivered_at')} AS signal_delivered_at,
  ${isoUtc('created_at')} AS created_at, ${isoUtc('started_at')} AS started_at,
  ${isoUtc('heartbeat_at')} AS heartbeat_at, parse_ms, merge_ms, ${isoUtc('finished_at')} AS finished_at`;

export interface ProgressUpdate {
  phase: ImportPhase;
  rowsDone: number;
  rowsPerSecond: number;
  percent: number;
}

export interface FinishUpdate {
  status: Exclude<ImportStatus, 'queued' | 'running'>;
  counts: ImportCounts;
  blank: number;
  rowsTotal: number;
  rowsPerSecond: number;
  parseMs: number;
  mergeMs: number;
  diff?: unknown;
  details?: Record<string, unknown>;
  error?: string | null;
  signalStatus?: string | null;
}

/** All SQL of `import_runs` and `import_rejected_rows`. Runs are never deleted. */
@Injectable()
export class ImportRunRepository {
  constructor(private readonly db: DataSource) {}

  /** Inserts the run; answers false when a live or committed run of the same file exists. */
  async create(run: NewImportRun, tx: SqlExecutor = this.db): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO import_runs (id, kind, dry_run, force, error_policy, source, requested_by, profile_id, settings,
                                file_name, file_sha256, file_size, file_format, signal_status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        run.id,
        run.kind,
        run.dryRun,
        run.force,
        run.errorPolicy,
        run.source,
        run.requestedBy,
        run.profileId,
        JSON.stringify(run.settings),
        run.file.originalName?.slice(0, 500) ?? null,
        run.file.sha256,
        run.file.size,
        run.file.format,
      ],
    );
    return rows.length > 0;
  }

  /** The run that already imported (or is importing) this file content, if any. */
  async findDuplicate(kind: ImportKind, sha256: string): Promise<ImportRunRow | undefined> {
    const rows = await queryRows<ImportRunRow>(
      this.db,
      `SELECT ${COLUMNS} FROM import_runs
        WHERE kind = $1 AND file_sha256 = $2 AND NOT dry_run AND status IN ('queued', 'running', 'succeeded')
        ORDER BY created_at LIMIT 1`,
      [kind, sha256],
    );
    return rows[0];
  }

  async get(id: string, tx: SqlExecutor = this.db): Promise<ImportRunRow | undefined> {
    const rows = await queryRows<ImportRunRow>(tx, `SELECT ${COLUMNS} FROM import_runs WHERE id = $1`, [id]);
    return rows[0];
  }

  async page(filters: { kind?: ImportKind; status?: ImportStatus }, limit: number, offset: number) {
    const params: unknown[] = [filters.kind ?? null, filters.status ?? null];
    const where = `WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR status = $2)`;
    const [counted, rows] = await Promise.all([
      queryRows<{ n: number }>(this.db, `SELECT count(*)::int AS n FROM import_runs ${where}`, params),
      queryRows<ImportRunRow>(
        this.db,
        `SELECT ${COLUMNS} FROM import_runs ${where} ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
        [...params, limit, offset],
      ),
    ]);
    return { count: counted[0]?.n ?? 0, rows };
  }

  async rejectedRows(id: string, limit: number, afterRowNo = 0): Promise<RejectedRow[]> {
    return queryRows<RejectedRow>(
      this.db,
      `SELECT row_no, "values", errors FROM import_rejected_rows
        WHERE import_id = $1 AND row_no > $2 ORDER BY row_no LIMIT $3`,
      [id, afterRowNo, limit],
    );
  }

  /**
   * Copies the rejected rows of a staging table (`row_no`, `raw` JSON cells, `errors` JSON) into the
   * run's record, in the import's transaction; answers how many.
   */
  async saveRejectedFromStage(tx: SqlExecutor, stage: 'import_stage' | 'gpsr_stage', id: string): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      tx,
      `WITH ins AS (
         INSERT INTO import_rejected_rows (import_id, row_no, "values", errors)
         SELECT $1, row_no, raw::jsonb, errors::jsonb FROM ${stage} WHERE errors IS NOT NULL
         ON CONFLICT (import_id, row_no) DO UPDATE SET "values" = EXCLUDED."values", errors = EXCLUDED.errors
         RETURNING 1
       ) SELECT count(*)::int AS n FROM ins`,
      [id],
    );
    return rows[0]?.n ?? 0;
  }

  async countRejected(id: string): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      this.db,
      `SELECT count(*)::int AS n FROM import_rejected_rows WHERE import_id = $1`,
      [id],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Takes the run for this attempt: queued (or left running by a worker that died) becomes
   * running. Answers the attempt number, or undefined when the run is finished or unknown.
   */
  async claim(id: string): Promise<number | undefined> {
    const rows = await queryRows<{ attempts: number }>(
      this.db,
      `WITH claimed AS (
         UPDATE import_runs
            SET status = 'running', phase = 'parsing', attempts = attempts + 1, started_at = now(),
                heartbeat_at = now(), rows_done = 0, progress_percent = 0, error = NULL
          WHERE id = $1 AND status IN ('queued', 'running')
          RETURNING attempts
       ) SELECT attempts FROM claimed`,
      [id],
    );
    return rows[0]?.attempts;
  }

  /** Session-level lock: held by the process running the import, released when it ends or dies. */
  async tryLockRun(tx: SqlExecutor, id: string): Promise<boolean> {
    const rows = await queryRows<{ ok: boolean }>(
      tx,
      `SELECT pg_try_advisory_lock(hashtext('dbu.import.' || $1)) AS ok`,
      [id],
    );
    return rows[0]?.ok === true;
  }

  async unlockRun(tx: SqlExecutor, id: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_unlock(hashtext('dbu.import.' || $1))`, [id]);
  }

  async saveMapping(
    id: string,
    mapping: { header: string[]; columns: unknown[]; unmapped: unknown[]; source: unknown },
  ): Promise<void> {
    await this.db.query(
      `UPDATE import_runs SET header = $2, column_mapping = $3, unmapped_columns = $4,
              details = coalesce(details, '{}'::jsonb) || jsonb_build_object('source', $5::jsonb)
        WHERE id = $1`,
      [
        id,
        JSON.stringify(mapping.header),
        JSON.stringify(mapping.columns),
        JSON.stringify(mapping.unmapped),
        JSON.stringify(mapping.source),
      ],
    );
  }

  async progress(id: string, update: ProgressUpdate): Promise<void> {
    await this.db.query(
      `UPDATE import_runs SET phase = $2, rows_done = $3, rows_per_second = $4, progress_percent = $5,
              heartbeat_at = now()
        WHERE id = $1 AND status = 'running'`,
      [id, update.phase, update.rowsDone, update.rowsPerSecond.toFixed(1), update.percent.toFixed(2)],
    );
  }

  /** A run done inline by the caller (an apply in dbu-web): running from now, in `tx`. */
  async startInline(tx: SqlExecutor, id: string): Promise<void> {
    await tx.query(
      `UPDATE import_runs SET status = 'running', phase = 'merging', attempts = 1, started_at = now(),
              heartbeat_at = now()
        WHERE id = $1`,
      [id],
    );
  }

  /** Adds keys to the run's details (e.g. the apply of a dry run), in `tx`. */
  async addDetails(tx: SqlExecutor, id: string, details: Record<string, unknown>): Promise<void> {
    await tx.query(`UPDATE import_runs SET details = coalesce(details, '{}'::jsonb) || $2::jsonb WHERE id = $1`, [
      id,
      JSON.stringify(details),
    ]);
  }

  /** The final state, inside the import's transaction (so it commits with the merge). */
  async finish(tx: SqlExecutor, id: string, update: FinishUpdate): Promise<void> {
    await tx.query(
      `UPDATE import_runs
          SET status = $2, phase = 'done', new_count = $3, changed_count = $4, unchanged_count = $5,
              invalid_count = $6, blank_count = $7, rows_total = $8, rows_done = $8, rows_per_second = $9,
              progress_percent = 100, parse_ms = $10, merge_ms = $11, diff = $12,
              details = coalesce(details, '{}'::jsonb) || $13::jsonb, error = $14, signal_status = $15,
              finished_at = now(), heartbeat_at = now()
        WHERE id = $1`,
      [
        id,
        update.status,
        update.counts.new,
        update.counts.changed,
        update.counts.unchanged,
        update.counts.invalid,
        update.blank,
        update.rowsTotal,
        update.rowsPerSecond.toFixed(1),
        Math.round(update.parseMs),
        Math.round(update.mergeMs),
        update.diff === undefined ? null : JSON.stringify(update.diff),
        JSON.stringify(update.details ?? {}),
        update.error ?? null,
        update.signalStatus ?? null,
      ],
    );
  }

  async fail(id: string, error: string): Promise<void> {
    await this.db.query(
      `UPDATE import_runs SET status = 'failed', phase = 'done', error = $2, finished_at = now()
        WHERE id = $1 AND status IN ('queued', 'running')`,
      [id, error.slice(0, 2000)],
    );
  }

  /** Back to the queue after a failed try that will be retried. */
  async requeue(id: string, error: string): Promise<void> {
    await this.db.query(
      `UPDATE import_runs SET status = 'queued', phase = 'queued', error = $2 WHERE id = $1 AND status = 'running'`,
      [id, `attempt failed, will retry: ${error}`.slice(0, 2000)],
    );
  }

  async recordSignal(
    id: string,
    outcome: { status: 'delivered' | 'retrying' | 'failed'; attempt: number; error?: string },
  ): Promise<void> {
    await this.db.query(
      `UPDATE import_runs SET signal_status = $2::text, signal_attempts = $3, signal_error = $4,
              signal_delivered_at = CASE WHEN $2::text = 'delivered' THEN now() ELSE signal_delivered_at END
        WHERE id = $1`,
      [id, outcome.status, outcome.attempt, outcome.error?.slice(0, 1000) ?? null],
    );
  }

  /** Content hashes of uploads that queued or running imports still need. */
  async liveFileHashes(): Promise<Set<string>> {
    const rows = await queryRows<{ sha: string }>(
      this.db,
      `SELECT DISTINCT file_sha256 AS sha FROM import_runs WHERE status IN ('queued', 'running')`,
    );
    return new Set(rows.map((r) => r.sha));
  }
}
