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
  const pending = await pendingMigrations(dataSource);
  if (pending.length === 0) return;
  const { host, port, database } = describeDatabase(url);
  throw new DatabaseNotMigratedError(
    `database "${database}" at ${host}:${port} lacks ${pending.length} migration(s) of this build (first: ${pending[0]}): run ${howToMigrate}`,
  );
}

/** Names of this build's migrations not yet applied (also for readiness probes); [] when current. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
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
  return known.filter((name) => !done.has(name));
}

const seenCurrent = new WeakSet<DataSource>();

/**
 * For readiness probes, asked every few seconds by every replica: true once this build's migrations
 * were all seen applied. Migrations only ever get added, so after that the answer stays true and
 * the probe stops reading schema_migrations.
 */
export async function migrationsCurrent(dataSource: DataSource): Promise<boolean> {
  if (seenCurrent.has(dataSource)) return true;
  if ((await pendingMigrations(dataSource)).length > 0) return false;
  seenCurrent.add(dataSource);
  return true;
}
