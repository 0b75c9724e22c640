import 'reflect-metadata';
import { drainSettings, loadConfigOrExit } from '@pjs/config';
import { serveUntilStopped } from '@pjs/http';
import { createLogger, exitOnStartupError } from '@pjs/logger';
import { loadImConfig } from './config/im-config';
import { connectIm } from './database/connect-im';
import { buildImWebApp } from './web.bootstrap';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadImConfig(), 'im-web');
  const logger = createLogger({ service: 'im-web', process: 'web', level: config.LOG_LEVEL });
  const dataSource = await connectIm(config, 'web');
  const app = await buildImWebApp(config, dataSource, logger);
  await serveUntilStopped(app, { port: config.PORT, logger, ...drainSettings(config) });
  logger.info('im-web listening', { port: config.PORT });
}

main().catch(exitOnStartupError('im-web'));
