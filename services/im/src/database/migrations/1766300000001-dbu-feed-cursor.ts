import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where IM's reconciler stands in DBU's changes feed (`GET /api/products/changes/`): one row.
 * `cursor` NULL means "never followed": the next run starts at the feed's head (`pnpm im
 * resync-catalogue` resets it, copies every item's details and then does the same). `caught_up_at` is when a run last read
 * the feed to its end; its age is the reconciler's lag.
 */
export class DbuFeedCursor1766300000001 implements MigrationInterface {
  name = 'DbuFeedCursor1766300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dbu_feed_cursor (
        singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        cursor       varchar(100),
        caught_up_at timestamptz,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO dbu_feed_cursor DEFAULT VALUES`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dbu_feed_cursor`);
  }
}
