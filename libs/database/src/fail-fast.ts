import { Client } from 'pg';
import { describeDatabase, withDatabase } from './database-url';

export class DatabaseUnreachableError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    cause: string,
  ) {
    super(`database at ${host}:${port} is unreachable (${cause})`);
    this.name = 'DatabaseUnreachableError';
  }
}

/** Connects once with a hard timeout; throws a DatabaseUnreachableError naming the host. */
export async function assertDatabaseReachable(url: string, timeoutMs = 8000): Promise<void> {
  const { host, port } = describeDatabase(url);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const cause =
      e.code === '3D000'
        ? `database "${describeDatabase(url).database}" does not exist`
        : e.code === '28P01' || e.code === '28000'
          ? 'authentication failed'
          : (e.code ?? e.message ?? 'unknown error');
    throw new DatabaseUnreachableError(host, port, cause);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database named in `url` if it does not exist (development and tests). */
export async function ensureDatabase(url: string, timeoutMs = 8000): Promise<boolean> {
  const { database } = describeDatabase(url);
  const admin = new Client({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: timeoutMs });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return false;
    await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    // Two processes creating the same database at once: the loser sees 42P04 and moves on.
    const code = (err as { code?: string }).code;
    if (code === '42P04' || code === '23505') return false;
    throw err;
  } finally {
    await admin.end();
  }
}
