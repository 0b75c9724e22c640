import 'reflect-metadata';
import { loadConfigOrExit } from '@pjs/config';
import { pingDatabase } from '@pjs/database';
import { createLogger, exitOnStartupError } from '@pjs/logger';
import { AmqpConnection, isBrokerConnected } from '@pjs/messaging';
import { startMetricsServer } from '@pjs/metrics';
import { loadImConfig } from './config/im-config';
import { connectIm } from './database/connect-im';
import { OutboxRelayHost } from './signal/outbox-relay.host';
import { SyncService } from './sync/sync.service';
import { buildImWorker } from './worker.bootstrap';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadImConfig(), 'im-worker');
  const logger = createLogger({ service: 'im-worker', process: 'worker', level: config.LOG_LEVEL });
  const dataSource = await connectIm(config, 'im-worker');
  const app = await buildImWorker(config, dataSource, logger);
  app.enableShutdownHooks();
  const amqp = app.get(AmqpConnection);
  const sync = app.get(SyncService);
  const outbox = app.get(OutboxRelayHost);
  const server = await startMetricsServer({
    port: config.METRICS_PORT,
    health: async () => {
      const database = await pingDatabase(dataSource);
      const broker = isBrokerConnected(amqp);
      return { ok: database && broker, service: 'im-worker', database, broker };
    },
    // Gauges read from the database (sync lag, outbox backlog) are refreshed right before a scrape.
    beforeScrape: async () => {
      await Promise.all([sync.refreshLag(), outbox.refreshMetrics()]);
    },
  });
  const address = server.address();
  logger.info('im-worker started', {
    metrics_port: typeof address === 'object' && address ? address.port : config.METRICS_PORT,
  });
  const stop = () => server.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch(exitOnStartupError('im-worker'));
