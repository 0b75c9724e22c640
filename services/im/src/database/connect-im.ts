import { openDatabase, type DataSource } from '@pjs/database';
import type { ImConfig } from '../config/im-config';
import { imMigrations } from './migrations';

/** Opens the im database (fail-fast, naming the host); creates it first if DB_CREATE_IF_MISSING. */
export function connectIm(config: ImConfig, applicationName: string): Promise<DataSource> {
  return openDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DB_POOL_SIZE,
    createIfMissing: config.DB_CREATE_IF_MISSING,
    migrations: imMigrations,
    applicationName,
  });
}
