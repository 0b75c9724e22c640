import 'reflect-metadata';
import { loadConfigOrExit } from '@pjs/config';
import { pingDatabase } from '@pjs/database';
import { createLogger, exitOnStartupError } from '@pjs/logger';
import { AmqpConnection, isBrokerConnected, stopWorkerOnSignal } from '@pjs/messaging';
import { startMetricsServer } from '@pjs/metrics';
import { loadImConfig } from './config/im-config';
import { connectIm } from './database/connect-im';
import { OutboxRelayHost } from './outbox/outbox-relay.host';
import { CatalogueReconciler } from './sync/catalogue-reconciler';
import { SyncService } from './sync/sync.service';
import { buildImWorker } from './worker.bootstrap';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadImConfig(), 'im-worker');
  const logger = createLogger({ service: 'im-worker', process: 'worker', level: config.LOG_LEVEL });
  const dataSource = await connectIm(config, 'worker');
  const app = await buildImWorker(config, dataSource, logger);
  const amqp = app.get(AmqpConnection);
  const sync = app.get(SyncService);
  const outbox = app.get(OutboxRelayHost);
  const reconciler = app.get(CatalogueReconciler);
  const server = await startMetricsServer({
    port: config.METRICS_PORT,
    health: async () => {
      const database = await pingDatabase(dataSource);
      const broker = isBrokerConnected(amqp);
      return { ok: database && broker, service: 'im-worker', database, broker };
    },
    // Gauges read from the database (sync and reconcile lag, outbox backlog) are refreshed right before a scrape.
    beforeScrape: async () => {
      await Promise.all([sync.refreshLag(), outbox.refreshMetrics(), reconciler.refreshLag()]);
    },
  });
  const address = server.address();
  logger.info('im-worker started', {
    metrics_port: typeof address === 'object' && address ? address.port : config.METRICS_PORT,
  });
  stopWorkerOnSignal({
    app,
    amqp,
    logger,
    timeoutMs: config.DRAIN_TIMEOUT,
    onStopped: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

main().catch(exitOnStartupError('im-worker'));
