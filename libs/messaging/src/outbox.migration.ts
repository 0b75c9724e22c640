import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox (events written with the data, relayed later) and the processed-message
 * log of idempotent consumers.
 */
export class MessagingSchema1732200000001 implements MigrationInterface {
  name = 'MessagingSchema1732200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_messages (
        seq          bigserial PRIMARY KEY,
        id           uuid NOT NULL UNIQUE,
        type         varchar(200) NOT NULL,
        routing_key  varchar(200) NOT NULL,
        envelope     jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts     integer NOT NULL DEFAULT 0,
        last_error   text
      )`);
    await q.query(`CREATE INDEX outbox_messages_pending_idx ON outbox_messages (seq) WHERE published_at IS NULL`);
    await q.query(`
      CREATE TABLE processed_messages (
        consumer     varchar(200) NOT NULL,
        message_id   varchar(200) NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processed_messages`);
    await q.query(`DROP TABLE outbox_messages`);
  }
}
