import { openDatabase, type DataSource } from '@pjs/database';
import type { DbuConfig } from '../config/dbu-config';
import { dbuMigrations } from './migrations';

/** Opens the dbu database (fail-fast, naming the host); creates it first if DB_CREATE_IF_MISSING. */
export function connectDbu(config: DbuConfig, applicationName: string): Promise<DataSource> {
  return openDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DB_POOL_SIZE,
    createIfMissing: config.DB_CREATE_IF_MISSING,
    migrations: dbuMigrations,
    applicationName,
  });
}
