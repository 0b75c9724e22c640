import { databaseTimeouts } from '@pjs/config';
import type { DataSource } from 'typeorm';
import { openDatabase } from './open-database';

/** The database settings every service shares (`databaseServiceSettings` in @pjs/config). */
export interface ServiceDatabaseSettings {
  DATABASE_URL: string;
  DB_POOL_SIZE: number;
  DB_CREATE_IF_MISSING: boolean;
  DB_STATEMENT_TIMEOUT_WEB: number;
  DB_STATEMENT_TIMEOUT_WORKER: number;
  DB_STATEMENT_TIMEOUT_MIGRATE: number;
  DB_IDLE_IN_TRANSACTION_TIMEOUT: number;
}

/**
 * Opens a service's database for one kind of process: fail-fast naming the host, created first if
 * DB_CREATE_IF_MISSING, the statement timeouts of that kind of process. Web apps and workers also
 * refuse a schema that lacks migrations of their build (and say how to apply them); the CLI does
 * not (its `migrate` applies them).
 */
export function connectServiceDatabase(
  config: ServiceDatabaseSettings,
  service: { name: string; migrations: NonNullable<Parameters<typeof openDatabase>[0]['migrations']> },
  process: 'web' | 'worker' | 'cli',
  applicationName: string,
): Promise<DataSource> {
  return openDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DB_POOL_SIZE,
    createIfMissing: config.DB_CREATE_IF_MISSING,
    migrations: service.migrations,
    applicationName,
    ...databaseTimeouts(config, process === 'cli' ? 'migrate' : process),
    howToMigrate:
      process === 'cli' ? undefined : `\`pnpm ${service.name} migrate\` (compose: the ${service.name}-migrate service)`,
  });
}
