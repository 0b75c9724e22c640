import 'reflect-metadata';
import { loadConfigOrExit } from '@pjs/config';
import { pingDatabase } from '@pjs/database';
import { createLogger, exitOnStartupError } from '@pjs/logger';
import { AmqpConnection, isBrokerConnected } from '@pjs/messaging';
import { initMetrics, startMetricsServer } from '@pjs/metrics';
import { loadDbuConfig } from './config/dbu-config';
import { connectDbu } from './database/connect-dbu';
import { OutboxRelayService } from './signals/outbox-relay.service';
import { createWorkerApp } from './worker.module';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadDbuConfig(), 'dbu-worker');
  const logger = createLogger({ service: 'dbu-worker', process: 'worker', level: config.LOG_LEVEL });
  initMetrics('dbu-worker');
  const dataSource = await connectDbu(config, 'dbu-worker');
  const app = await createWorkerApp(config, dataSource, logger);
  app.enableShutdownHooks();
  const amqp = app.get(AmqpConnection);
  const relay = app.get(OutboxRelayService);
  await startMetricsServer({
    port: config.METRICS_PORT,
    health: async () => {
      const database = await pingDatabase(dataSource);
      const broker = isBrokerConnected(amqp);
      return { ok: database && broker, service: 'dbu-worker', database, broker };
    },
    beforeScrape: () => relay.refreshMetrics(),
  });
  logger.info('dbu-worker started', { metrics_port: config.METRICS_PORT, signal_url: !!config.SIGNAL_URL });
}

main().catch(exitOnStartupError('dbu-worker'));
