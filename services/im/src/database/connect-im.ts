import { connectServiceDatabase, type DataSource } from '@pjs/database';
import type { ImConfig } from '../config/im-config';
import { imMigrations } from './migrations';

/** Opens the im database for one kind of IM process (see connectServiceDatabase). */
export function connectIm(config: ImConfig, process: 'web' | 'worker' | 'cli'): Promise<DataSource> {
  return connectServiceDatabase(config, { name: 'im', migrations: imMigrations }, process, `im-${process}`);
}
