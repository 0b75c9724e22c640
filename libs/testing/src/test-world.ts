import type { DataSourceSettings } from '@pjs/database';
import type { DataSource } from 'typeorm';
import { createTestUser, type TestUser } from './factories';
import { createMigratedDatabase } from './test-database';
import { createTestVhost, type TestVhost } from './test-vhost';

/** A test file's world: a fresh migrated database and RabbitMQ vhost, an admin and a plain user. */
export interface TestWorld {
  dataSource: DataSource;
  databaseUrl: string;
  vhost: TestVhost;
  admin: TestUser;
  user: TestUser;
  /** Drops the database and the vhost (close the apps first). */
  close(): Promise<void>;
}

export async function createTestWorld(
  label: string,
  settings: Pick<DataSourceSettings, 'migrations' | 'poolSize'>,
): Promise<TestWorld> {
  const database = await createMigratedDatabase(label, {
    migrations: settings.migrations,
    poolSize: settings.poolSize ?? 5,
  });
  const { db, dataSource } = database;
  const vhost = await createTestVhost(label);
  const admin = await createTestUser(dataSource, { admin: true });
  const user = await createTestUser(dataSource);
  return {
    dataSource,
    databaseUrl: db.url,
    vhost,
    admin,
    user,
    close: async () => {
      await database.close();
      await vhost.drop();
    },
  };
}
