import 'reflect-metadata';
import { loadConfigOrExit } from '@pjs/config';
import { createLogger, exitOnStartupError } from '@pjs/logger';
import { loadImConfig } from './config/im-config';
import { connectIm } from './database/connect-im';
import { buildImWebApp } from './web.bootstrap';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadImConfig(), 'im-web');
  const logger = createLogger({ service: 'im-web', process: 'web', level: config.LOG_LEVEL });
  const dataSource = await connectIm(config, 'im-web');
  const app = await buildImWebApp(config, dataSource, logger);
  await app.listen(config.PORT, '0.0.0.0');
  logger.info('im-web listening', { port: config.PORT });
}

main().catch(exitOnStartupError('im-web'));
