import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts as people and programs use them: tokens with a kind, scopes, an expiry and a visible
 * prefix; sessions for people; and a notification on every change that ends or narrows a
 * credential, so every process drops what it cached (see AuthChangeListener) — also when the change
 * is made by hand in psql.
 *
 * Existing tokens become `legacy`: no scopes of their own (the account's), no expiry, as before.
 */
export class AuthAccounts1765000000001 implements MigrationInterface {
  name = 'AuthAccounts1765000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE auth_tokens
        ADD COLUMN kind varchar(16) NOT NULL DEFAULT 'legacy' CHECK (kind IN ('legacy', 'login', 'api')),
        ADD COLUMN scopes text[],
        ADD COLUMN prefix varchar(16),
        ADD COLUMN expires_at timestamptz,
        ADD COLUMN created_by integer REFERENCES auth_users(id) ON DELETE SET NULL`);
    await q.query(`ALTER TABLE auth_tokens ALTER COLUMN kind SET DEFAULT 'api'`);
    await q.query(
      `CREATE INDEX auth_tokens_live_idx ON auth_tokens (user_id, kind, created_at) WHERE revoked_at IS NULL`,
    );
    await q.query(`CREATE INDEX auth_tokens_prefix_idx ON auth_tokens (prefix)`);
    await q.query(`
      ALTER TABLE auth_users
        ADD COLUMN last_login_at timestamptz,
        ADD COLUMN password_changed_at timestamptz`);
    await q.query(`
      CREATE TABLE auth_sessions (
        id           bigserial PRIMARY KEY,
        session_hash char(64) NOT NULL UNIQUE,
        user_id      integer NOT NULL REFERENCES auth_users(id) ON DELETE CASCADE,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        ended_at     timestamptz,
        client_ip    inet,
        user_agent   varchar(300)
      )`);
    await q.query(`CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE ended_at IS NULL`);
    await q.query(`
      CREATE FUNCTION auth_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('pjs_auth', TG_TABLE_NAME || ':' || COALESCE(NEW.id, OLD.id));
        RETURN COALESCE(NEW, OLD);
      END $$`);
    await q.query(`
      CREATE TRIGGER auth_tokens_changed AFTER UPDATE OF revoked_at, expires_at, scopes, user_id OR DELETE ON auth_tokens
        FOR EACH ROW EXECUTE FUNCTION auth_notify_change()`);
    await q.query(`
      CREATE TRIGGER auth_users_changed AFTER UPDATE OF is_active, is_admin OR DELETE ON auth_users
        FOR EACH ROW EXECUTE FUNCTION auth_notify_change()`);
    await q.query(`
      CREATE TRIGGER auth_sessions_changed AFTER UPDATE OF ended_at, expires_at OR DELETE ON auth_sessions
        FOR EACH ROW EXECUTE FUNCTION auth_notify_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER auth_sessions_changed ON auth_sessions`);
    await q.query(`DROP TRIGGER auth_users_changed ON auth_users`);
    await q.query(`DROP TRIGGER auth_tokens_changed ON auth_tokens`);
    await q.query(`DROP FUNCTION auth_notify_change()`);
    await q.query(`DROP TABLE auth_sessions`);
    await q.query(`ALTER TABLE auth_users DROP COLUMN last_login_at, DROP COLUMN password_changed_at`);
    await q.query(`DROP INDEX auth_tokens_prefix_idx`);
    await q.query(`DROP INDEX auth_tokens_live_idx`);
    await q.query(
      `ALTER TABLE auth_tokens DROP COLUMN kind, DROP COLUMN scopes, DROP COLUMN prefix, DROP COLUMN expires_at, DROP COLUMN created_by`,
    );
  }
}
