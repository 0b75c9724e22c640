import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users and hashed API tokens; shared by every service that authenticates callers. */
export class AuthSchema1732200000000 implements MigrationInterface {
  name = 'AuthSchema1732200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth_users (
        id            serial PRIMARY KEY,
        username      varchar(150) NOT NULL,
        password_hash text NOT NULL,
        is_admin      boolean NOT NULL DEFAULT false,
        is_active     boolean NOT NULL DEFAULT true,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX auth_users_username_key ON auth_users (lower(username))`);
    await q.query(`
      CREATE TABLE auth_tokens (
        id           serial PRIMARY KEY,
        user_id      integer NOT NULL REFERENCES auth_users(id) ON DELETE CASCADE,
        name         varchar(100) NOT NULL,
        token_hash   char(64) NOT NULL UNIQUE,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at   timestamptz
      )`);
    await q.query(`CREATE INDEX auth_tokens_user_id_idx ON auth_tokens (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth_tokens`);
    await q.query(`DROP TABLE auth_users`);
  }
}
