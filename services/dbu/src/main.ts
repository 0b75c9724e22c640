import 'reflect-metadata';
import { loadConfigOrExit } from '@pjs/config';
import { createLogger, exitOnStartupError } from '@pjs/logger';
import { loadDbuConfig } from './config/dbu-config';
import { connectDbu } from './database/connect-dbu';
import { buildDbuWebApp } from './web.bootstrap';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadDbuConfig(), 'dbu-web');
  const logger = createLogger({ service: 'dbu-web', process: 'web', level: config.LOG_LEVEL });
  const dataSource = await connectDbu(config, 'dbu-web');
  const app = await buildDbuWebApp(config, dataSource, logger);
  await app.listen(config.PORT, '0.0.0.0');
  logger.info('dbu-web listening', { port: config.PORT });
}

main().catch(exitOnStartupError('dbu-web'));
