import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who booked a stock movement, traced like an audit row: the account's id, the visible prefix of
 * the token used and the request (or message) id, written by the same INSERT as the movement, so
 * the ledger is the audit trail of stock changes and orders (read with audit_log by
 * `GET /api/admin/audit/` and `pnpm im audit`). Nullable: earlier rows have none. The index on
 * created_at serves the trail's time filter and newest-first order.
 */
export class LedgerTrace1766200000000 implements MigrationInterface {
  name = 'LedgerTrace1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE stock_movements
        ADD COLUMN actor_user_id integer,
        ADD COLUMN token_prefix  varchar(16),
        ADD COLUMN request_id    varchar(128)`);
    await q.query(`CREATE INDEX stock_movements_created_at_idx ON stock_movements (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX stock_movements_created_at_idx`);
    await q.query(
      `ALTER TABLE stock_movements DROP COLUMN actor_user_id, DROP COLUMN token_prefix, DROP COLUMN request_id`,
    );
  }
}
