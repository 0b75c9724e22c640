import { loadConfigOrExit } from '@pjs/config';
import type { DataSource } from '@pjs/database';
import { createLogger, type Logger } from '@pjs/logger';
import { loadImConfig, type ImConfig } from '../config/im-config';
import { connectIm } from '../database/connect-im';

export interface CliContext {
  config: ImConfig;
  dataSource: DataSource;
  logger: Logger;
}

/** Loads config, connects the database, runs the command and always closes the pool. */
export async function withCli<T>(run: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = await loadConfigOrExit(() => loadImConfig(), 'im');
  const logger = createLogger({ service: 'im', process: 'cli', level: config.LOG_LEVEL });
  const dataSource = await connectIm(config, 'im-cli', 'cli');
  try {
    return await run({ config, dataSource, logger });
  } finally {
    await dataSource.destroy();
  }
}
