import type { DataSource } from 'typeorm';
import { describeDatabase } from './database-url';

export class DatabaseNotMigratedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseNotMigratedError';
  }
}

/**
 * Refuses to go on when migrations of this build are not applied: a process on an older schema
 * fails on its first query instead, far from the cause (or, worse, retries it forever).
 * `howToMigrate` is the command the message tells the operator to run.
 */
export async function assertMigrated(dataSource: DataSource, url: string, howToMigrate: string): Promise<void> {
  const known = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  let applied: string[];
  try {
    const rows = await dataSource.query<{ name: string }[]>(`SELECT name FROM schema_migrations`);
    applied = rows.map((r) => r.name);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P01') throw err; // 42P01: no migrations table yet
    applied = [];
  }
  const done = new Set(applied);
  const pending = known.filter((name) => !done.has(name));
  if (pending.length === 0) return;
  const { host, port, database } = describeDatabase(url);
  throw new DatabaseNotMigratedError(
    `database "${database}" at ${host}:${port} lacks ${pending.length} migration(s) of this build (first: ${pending[0]}): run ${howToMigrate}`,
  );
}
