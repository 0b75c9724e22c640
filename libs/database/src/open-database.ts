import type { DataSource } from 'typeorm';
import { connectDataSource } from './connect';
import { createDataSource, type DataSourceSettings } from './data-source.factory';
import { ensureDatabase } from './fail-fast';

export interface OpenDatabaseSettings extends DataSourceSettings {
  /** Create the database when missing (development only). */
  createIfMissing?: boolean;
  connectTimeoutMs?: number;
}

/**
 * Start-up path of every process with a database: exits (throws) within the timeout naming the
 * host when it is unreachable; otherwise returns an initialised data source.
 */
export async function openDatabase(settings: OpenDatabaseSettings): Promise<DataSource> {
  if (settings.createIfMissing) await ensureDatabase(settings.url, settings.connectTimeoutMs);
  return connectDataSource(createDataSource(settings), settings.url, settings.connectTimeoutMs ?? 8000);
}
