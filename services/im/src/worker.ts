import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@pjs/config';
import { pingDatabase } from '@pjs/database';
import { NestWinstonLogger, createLogger, exitOnStartupError } from '@pjs/logger';
import { AmqpConnection, isBrokerConnected } from '@pjs/messaging';
import { initMetrics, startMetricsServer } from '@pjs/metrics';
import { loadImConfig } from './config/im-config';
import { connectIm } from './database/connect-im';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadImConfig(), 'im-worker');
  const logger = createLogger({ service: 'im-worker', process: 'worker', level: config.LOG_LEVEL });
  initMetrics('im-worker');
  const dataSource = await connectIm(config, 'im-worker');
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, dataSource), {
    logger: new NestWinstonLogger(logger),
  });
  app.enableShutdownHooks();
  const amqp = app.get(AmqpConnection);
  await startMetricsServer({
    port: config.METRICS_PORT,
    health: async () => {
      const database = await pingDatabase(dataSource);
      const broker = isBrokerConnected(amqp);
      return { ok: database && broker, service: 'im-worker', database, broker };
    },
  });
  logger.info('im-worker started', { metrics_port: config.METRICS_PORT });
}

main().catch(exitOnStartupError('im-worker'));
