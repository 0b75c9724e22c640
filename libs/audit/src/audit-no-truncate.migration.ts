import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TRUNCATE skips row triggers: without this, `TRUNCATE audit_log` would empty the append-only
 * trail. Refused always (the retention job deletes row by row, as the row trigger allows it).
 */
export class AuditNoTruncate1766200000001 implements MigrationInterface {
  name = 'AuditNoTruncate1766200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_log_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (TRUNCATE refused)' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_log_no_truncate ON audit_log`);
    await q.query(`DROP FUNCTION audit_log_no_truncate()`);
  }
}
