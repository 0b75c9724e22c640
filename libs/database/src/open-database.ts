import type { DataSource } from 'typeorm';
import { connectDataSource } from './connect';
import { createDataSource, type DataSourceSettings } from './data-source.factory';
import { ensureDatabase } from './fail-fast';
import { assertMigrated } from './migration-check';

export interface OpenDatabaseSettings extends DataSourceSettings {
  /** Create the database when missing (development only). */
  createIfMissing?: boolean;
  connectTimeoutMs?: number;
  /** Services (not the migrate command): fail unless every migration is applied; the text says how to apply them. */
  howToMigrate?: string;
}

/**
 * Start-up path of every process with a database: exits (throws) within the timeout naming the
 * host when it is unreachable (or, with `howToMigrate`, not migrated); otherwise returns an initialised data source.
 */
export async function openDatabase(settings: OpenDatabaseSettings): Promise<DataSource> {
  if (settings.createIfMissing) await ensureDatabase(settings.url, settings.connectTimeoutMs);
  const dataSource = await connectDataSource(
    createDataSource(settings),
    settings.url,
    settings.connectTimeoutMs ?? 8000,
  );
  if (settings.howToMigrate) {
    try {
      await assertMigrated(dataSource, settings.url, settings.howToMigrate);
    } catch (err) {
      await dataSource.destroy();
      throw err;
    }
  }
  return dataSource;
}
