import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource, ensureDatabase, runMigrations, withDatabase, type DataSourceSettings } from '@pjs/database';
import type { DataSource } from 'typeorm';

/** The server tests create their databases on (trust auth on the CI machine). */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, uniquely named database for one test file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `t_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(TEST_POSTGRES_URL, name);
  await ensureDatabase(url);
  return {
    url,
    name,
    drop: async () => {
      const admin = new Client({ connectionString: withDatabase(TEST_POSTGRES_URL, 'postgres') });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A fresh database with the given migrations applied once, and an initialised data source. */
export async function createMigratedDatabase(
  label: string,
  settings: Omit<DataSourceSettings, 'url'>,
): Promise<{ db: TestDatabase; dataSource: DataSource; close(): Promise<void> }> {
  const db = await createTestDatabase(label);
  const dataSource = createDataSource({ ...settings, url: db.url });
  await dataSource.initialize();
  await runMigrations(dataSource);
  return {
    db,
    dataSource,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.drop();
    },
  };
}
