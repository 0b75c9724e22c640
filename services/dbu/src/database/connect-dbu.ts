import { connectServiceDatabase, type DataSource } from '@pjs/database';
import type { DbuConfig } from '../config/dbu-config';
import { dbuMigrations } from './migrations';

/** Opens the dbu database for one kind of DBU process (see connectServiceDatabase). */
export function connectDbu(config: DbuConfig, process: 'web' | 'worker' | 'cleanup' | 'cli'): Promise<DataSource> {
  return connectServiceDatabase(
    config,
    { name: 'dbu', migrations: dbuMigrations },
    process === 'cleanup' ? 'worker' : process,
    `dbu-${process}`,
  );
}
