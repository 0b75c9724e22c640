import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@pjs/config';
import { pingDatabase } from '@pjs/database';
import { NestWinstonLogger, createLogger, exitOnStartupError } from '@pjs/logger';
import { AmqpConnection, isBrokerConnected } from '@pjs/messaging';
import { initMetrics, startMetricsServer } from '@pjs/metrics';
import { loadDbuConfig } from './config/dbu-config';
import { connectDbu } from './database/connect-dbu';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadDbuConfig(), 'dbu-worker');
  const logger = createLogger({ service: 'dbu-worker', process: 'worker', level: config.LOG_LEVEL });
  initMetrics('dbu-worker');
  const dataSource = await connectDbu(config, 'dbu-worker');
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
      return { ok: database && broker, service: 'dbu-worker', database, broker };
    },
  });
  logger.info('dbu-worker started', { metrics_port: config.METRICS_PORT });
}

main().catch(exitOnStartupError('dbu-worker'));
