import { createTestDatabase, type TestDatabase } from '@pjs/testing';
import { createDataSource } from '@pjs/database';
import type { DataSource } from 'typeorm';

describe('database timeouts', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('timeouts');
    dataSource = createDataSource({
      url: db.url,
      poolSize: 2,
      statementTimeoutMs: 300,
      idleInTransactionTimeoutMs: 300,
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('cancels a statement that runs longer than statement_timeout', async () => {
    await expect(dataSource.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
    await expect(dataSource.query('SELECT 1 AS ok')).resolves.toEqual([{ ok: 1 }]);
  });

  it('ends a session whose transaction sits idle longer than idle_in_transaction_session_timeout', async () => {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await new Promise((resolve) => setTimeout(resolve, 800));
      await expect(runner.query('SELECT 1')).rejects.toThrow();
    } finally {
      await runner.release().catch(() => undefined);
    }
  });
});
