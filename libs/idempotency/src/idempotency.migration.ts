import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The first answer of each write made with an Idempotency-Key (see IdempotencyService). */
export class IdempotencyKeys1765000000003 implements MigrationInterface {
  name = 'IdempotencyKeys1765000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        caller        varchar(100) NOT NULL,
        route         varchar(200) NOT NULL,
        key           varchar(200) NOT NULL,
        request_hash  char(64) NOT NULL,
        status_code   integer,
        response_body text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (caller, route, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
