import { openDatabase, type DataSource } from '@pjs/database';
import type { ImConfig } from '../config/im-config';
import { imMigrations } from './migrations';

/**
 * Opens the im database (fail-fast, naming the host); creates it first if DB_CREATE_IF_MISSING.
 * Services also refuse a schema that lacks migrations of this build; the CLI (whose `migrate`
 * applies them) does not.
 */
export function connectIm(
  config: ImConfig,
  applicationName: string,
  purpose: 'service' | 'cli' = 'service',
): Promise<DataSource> {
  return openDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DB_POOL_SIZE,
    createIfMissing: config.DB_CREATE_IF_MISSING,
    migrations: imMigrations,
    applicationName,
    howToMigrate: purpose === 'service' ? '`pnpm im migrate` (compose: the im-migrate service)' : undefined,
  });
}
