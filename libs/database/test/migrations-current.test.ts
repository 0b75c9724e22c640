import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createDataSource, migrationsCurrent, runMigrations } from '@pjs/database';
import { createTestDatabase, type TestDatabase } from '@pjs/testing';

class CreateThings1700000000000 implements MigrationInterface {
  name = 'CreateThings1700000000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE things (id int PRIMARY KEY)`);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE things`);
  }
}

describe('migrationsCurrent (readiness)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('migrations_current');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('is false while a migration of this build is pending, then true and no longer reads the table', async () => {
    const dataSource = createDataSource({ url: db.url, migrations: [CreateThings1700000000000] });
    await dataSource.initialize();
    try {
      expect(await migrationsCurrent(dataSource)).toBe(false);
      await runMigrations(dataSource);
      expect(await migrationsCurrent(dataSource)).toBe(true);

      // Once seen current it stays so without asking the database (a probe every few seconds).
      await dataSource.query(`ALTER TABLE schema_migrations RENAME TO schema_migrations_gone`);
      expect(await migrationsCurrent(dataSource)).toBe(true);
    } finally {
      await dataSource.destroy();
    }
  });
});
