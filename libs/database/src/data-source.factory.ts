import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import type { Logger } from '@pjs/logger';

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
  applicationName?: string;
  /** Longest a statement may run before PostgreSQL cancels it (0 = no limit). */
  statementTimeoutMs?: number;
  /** Longest a transaction may sit idle before PostgreSQL ends the session (0 = no limit). */
  idleInTransactionTimeoutMs?: number;
  logger?: Logger;
}

/** A TypeORM data source with our rules: migrations only (never synchronize), bounded pool. */
export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.url,
    entities: settings.entities ?? [],
    migrations: settings.migrations ?? [],
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: settings.applicationName,
    extra: {
      max: settings.poolSize ?? 10,
      connectionTimeoutMillis: 8000,
      idleTimeoutMillis: 30_000,
      ...(settings.statementTimeoutMs ? { statement_timeout: settings.statementTimeoutMs } : {}),
      ...(settings.idleInTransactionTimeoutMs
        ? { idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs }
        : {}),
    },
  });
}

/** Applies pending migrations in one transaction each; returns their names. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
