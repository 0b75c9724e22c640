import { loadConfigOrExit } from '@pjs/config';
import type { DataSource } from '@pjs/database';
import { createLogger, type Logger } from '@pjs/logger';
import { loadDbuConfig, type DbuConfig } from '../config/dbu-config';
import { connectDbu } from '../database/connect-dbu';

export interface CliContext {
  config: DbuConfig;
  dataSource: DataSource;
  logger: Logger;
}

/** Loads config, connects the database, runs the command and always closes the pool. */
export async function withCli<T>(run: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = await loadConfigOrExit(() => loadDbuConfig(), 'dbu');
  const logger = createLogger({ service: 'dbu', process: 'cli', level: config.LOG_LEVEL });
  const dataSource = await connectDbu(config, 'dbu-cli', 'cli');
  try {
    return await run({ config, dataSource, logger });
  } finally {
    await dataSource.destroy();
  }
}
