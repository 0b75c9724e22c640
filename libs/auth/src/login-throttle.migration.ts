import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Failed-login counters shared by every process of a service (see LoginThrottle). */
export class AuthLoginThrottle1765000000000 implements MigrationInterface {
  name = 'AuthLoginThrottle1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth_login_throttle (
        key          text NOT NULL,
        window_start timestamptz NOT NULL,
        attempts     integer NOT NULL,
        PRIMARY KEY (key, window_start)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth_login_throttle`);
  }
}
