import type { DataSource } from 'typeorm';
import { assertDatabaseReachable } from './fail-fast';

/**
 * Start-up path of every process: fail within the timeout, naming the host, when the database
 * cannot be reached; otherwise initialise the data source.
 */
export async function connectDataSource(dataSource: DataSource, url: string, timeoutMs = 8000): Promise<DataSource> {
  await assertDatabaseReachable(url, timeoutMs);
  if (!dataSource.isInitialized) await dataSource.initialize();
  return dataSource;
}

/** True when a trivial query answers within the timeout (for /health). */
export async function pingDatabase(dataSource: DataSource, timeoutMs = 2000): Promise<boolean> {
  if (!dataSource.isInitialized) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      dataSource.query('SELECT 1').then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    if (timer) clearTimeout(timer);
  }
}
