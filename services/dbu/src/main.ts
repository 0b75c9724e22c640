import 'reflect-metadata';
import { drainSettings, loadConfigOrExit } from '@pjs/config';
import { serveUntilStopped } from '@pjs/http';
import { createLogger, exitOnStartupError } from '@pjs/logger';
import { loadDbuConfig } from './config/dbu-config';
import { connectDbu } from './database/connect-dbu';
import { buildDbuWebApp } from './web.bootstrap';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadDbuConfig(), 'dbu-web');
  const logger = createLogger({ service: 'dbu-web', process: 'web', level: config.LOG_LEVEL });
  const dataSource = await connectDbu(config, 'web');
  const app = await buildDbuWebApp(config, dataSource, logger);
  await serveUntilStopped(app, { port: config.PORT, logger, ...drainSettings(config) });
  logger.info('dbu-web listening', { port: config.PORT });
}

main().catch(exitOnStartupError('dbu-web'));
