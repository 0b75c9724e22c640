import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Catalogue imports: per-wholesaler import profiles, the import runs (kept indefinitely, also
 * for GPSR spreadsheets) with their rejected rows in the source layout, and the retry schedule of
 * product photos.
 */
export class ImportsSchema1732310000000 implements MigrationInterface {
  name = 'ImportsSchema1732310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_profiles (
        id                serial PRIMARY KEY,
        name              varchar(100) NOT NULL UNIQUE,
        wholesaler        varchar(200),
        delimiter         varchar(4) NOT NULL DEFAULT 'auto' CHECK (delimiter IN ('auto', ';', ',', 'tab', '|')),
        decimal_separator char(1) NOT NULL DEFAULT ',' CHECK (decimal_separator IN (',', '.')),
        date_format       varchar(10) NOT NULL DEFAULT 'DD.MM.YYYY'
                          CHECK (date_format IN ('DD.MM.YYYY', 'YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY')),
        encoding          varchar(12) NOT NULL DEFAULT 'auto'
                          CHECK (encoding IN ('auto', 'utf-8', 'windows-1252', 'latin1')),
        sheet_name        varchar(100),
        column_map        jsonb NOT NULL DEFAULT '{}'::jsonb,
        is_default        boolean NOT NULL DEFAULT false,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX import_profiles_one_default ON import_profiles (is_default) WHERE is_default`);
    await q.query(`
      CREATE TABLE import_runs (
        id                  uuid PRIMARY KEY,
        kind                varchar(12) NOT NULL CHECK (kind IN ('catalogue', 'gpsr')),
        status              varchar(12) NOT NULL DEFAULT 'queued'
                            CHECK (status IN ('queued', 'running', 'succeeded', 'rejected', 'failed')),
        phase               varchar(12) NOT NULL DEFAULT 'queued',
        dry_run             boolean NOT NULL DEFAULT false,
        force               boolean NOT NULL DEFAULT false,
        error_policy        varchar(12) NOT NULL DEFAULT 'apply-valid' CHECK (error_policy IN ('apply-valid', 'reject-all')),
        source              varchar(8) NOT NULL CHECK (source IN ('upload', 'cli')),
        requested_by        varchar(150),
        profile_id          integer REFERENCES import_profiles(id) ON DELETE SET NULL,
        settings            jsonb NOT NULL,
        file_name           varchar(500),
        file_sha256         char(64) NOT NULL,
        file_size           bigint NOT NULL,
        file_format         varchar(8) NOT NULL CHECK (file_format IN ('csv', 'xlsx')),
        header              jsonb,
        column_mapping      jsonb,
        unmapped_columns    jsonb,
        rows_total          integer,
        rows_done           integer NOT NULL DEFAULT 0,
        rows_per_second     numeric(12,1),
        progress_percent    numeric(5,2) NOT NULL DEFAULT 0,
        new_count           integer,
        changed_count       integer,
        unchanged_count     integer,
        invalid_count       integer,
        blank_count         integer,
        diff                jsonb,
        details             jsonb,
        error               text,
        attempts            integer NOT NULL DEFAULT 0,
        signal_status       varchar(12),
        signal_attempts     integer NOT NULL DEFAULT 0,
        signal_error        text,
        signal_delivered_at timestamptz,
        created_at          timestamptz NOT NULL DEFAULT now(),
        started_at          timestamptz,
        heartbeat_at        timestamptz,
        parse_ms            integer,
        merge_ms            integer,
        finished_at         timestamptz
      )`);
    // One live or committed import per file content: the same file again is a duplicate.
    await q.query(`
      CREATE UNIQUE INDEX import_runs_file_once ON import_runs (kind, file_sha256)
       WHERE NOT dry_run AND NOT force AND status IN ('queued', 'running', 'succeeded')`);
    await q.query(`CREATE INDEX import_runs_sha_idx ON import_runs (file_sha256)`);
    await q.query(`CREATE INDEX import_runs_created_idx ON import_runs (created_at DESC, id)`);
    await q.query(`CREATE INDEX import_runs_live_idx ON import_runs (status) WHERE status IN ('queued', 'running')`);
    await q.query(`
      CREATE TABLE import_rejected_rows (
        import_id uuid NOT NULL REFERENCES import_runs(id) ON DELETE CASCADE,
        row_no    integer NOT NULL,
        "values"  jsonb NOT NULL,
        errors    jsonb NOT NULL,
        PRIMARY KEY (import_id, row_no)
      )`);
    await q.query(`ALTER TABLE product_photos ADD COLUMN next_attempt_at timestamptz`);
    await q.query(`ALTER TABLE product_photos ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE product_photos DROP COLUMN updated_at`);
    await q.query(`ALTER TABLE product_photos DROP COLUMN next_attempt_at`);
    await q.query(`DROP TABLE import_rejected_rows`);
    await q.query(`DROP TABLE import_runs`);
    await q.query(`DROP TABLE import_profiles`);
  }
}
