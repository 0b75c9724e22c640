import { openDatabase, type DataSource } from '@pjs/database';
import type { DbuConfig } from '../config/dbu-config';
import { dbuMigrations } from './migrations';

/**
 * Opens the dbu database (fail-fast, naming the host); creates it first if DB_CREATE_IF_MISSING.
 * Services also refuse a schema that lacks migrations of this build; the CLI (whose `migrate`
 * applies them) does not.
 */
export function connectDbu(
  config: DbuConfig,
  applicationName: string,
  purpose: 'service' | 'cli' = 'service',
): Promise<DataSource> {
  return openDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DB_POOL_SIZE,
    createIfMissing: config.DB_CREATE_IF_MISSING,
    migrations: dbuMigrations,
    applicationName,
    howToMigrate: purpose === 'service' ? '`pnpm dbu migrate` (compose: the dbu-migrate service)' : undefined,
  });
}
