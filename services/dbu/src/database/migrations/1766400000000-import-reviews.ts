import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a dry run showed, kept so `POST /api/imports/{id}/apply/` applies exactly that: the rows
 * of the diff as they were staged, and the image hash of each product they touch, to refuse the
 * apply when a product changed since. Runs made by an apply have the source `apply`.
 */
export class ImportReviews1766400000000 implements MigrationInterface {
  name = 'ImportReviews1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_reviews (
        import_id         uuid PRIMARY KEY REFERENCES import_runs(id) ON DELETE CASCADE,
        fields            text[] NOT NULL,
        applied_import_id uuid REFERENCES import_runs(id),
        applied_at        timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE import_review_rows (
        import_id uuid NOT NULL REFERENCES import_reviews(import_id) ON DELETE CASCADE,
        row_no    integer NOT NULL,
        item_no   text NOT NULL,
        is_new    boolean NOT NULL,
        base_hash char(32),
        stage     jsonb NOT NULL,
        PRIMARY KEY (import_id, row_no)
      )`);
    await q.query(`ALTER TABLE import_runs DROP CONSTRAINT import_runs_source_check`);
    await q.query(
      `ALTER TABLE import_runs ADD CONSTRAINT import_runs_source_check CHECK (source IN ('upload', 'cli', 'apply'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM import_runs WHERE source = 'apply'`);
    await q.query(`ALTER TABLE import_runs DROP CONSTRAINT import_runs_source_check`);
    await q.query(
      `ALTER TABLE import_runs ADD CONSTRAINT import_runs_source_check CHECK (source IN ('upload', 'cli'))`,
    );
    await q.query(`DROP TABLE import_review_rows`);
    await q.query(`DROP TABLE import_reviews`);
  }
}
