import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: who did what, when, from where, with what outcome. Append-only: a trigger
 * refuses UPDATE and DELETE unless the transaction says it is the retention job
 * (`SET LOCAL pjs.audit_maintenance = 'on'`), which may only delete old rows and blank old
 * addresses.
 */
export class AuditLog1765000000002 implements MigrationInterface {
  name = 'AuditLog1765000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        id            bigserial PRIMARY KEY,
        at            timestamptz NOT NULL DEFAULT now(),
        actor_user_id integer,
        actor         varchar(150),
        token_prefix  varchar(16),
        action        varchar(64) NOT NULL,
        resource      varchar(64) NOT NULL,
        resource_id   varchar(200),
        request_id    varchar(128),
        client_ip     inet,
        outcome       varchar(16) NOT NULL CHECK (outcome IN ('ok', 'failed', 'denied')),
        details       jsonb
      )`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (lower(actor), id)`);
    await q.query(`CREATE INDEX audit_log_resource_idx ON audit_log (resource, resource_id, id)`);
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('pjs.audit_maintenance', true) = 'on' THEN
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          IF (to_jsonb(NEW) - 'client_ip') = (to_jsonb(OLD) - 'client_ip') AND NEW.client_ip IS NULL THEN
            RETURN NEW;
          END IF;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
  }
}
