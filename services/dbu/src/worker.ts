import 'reflect-metadata';
import { loadConfigOrExit } from '@pjs/config';
import { pingDatabase } from '@pjs/database';
import { createLogger, exitOnStartupError } from '@pjs/logger';
import { AmqpConnection, isBrokerConnected, stopWorkerOnSignal } from '@pjs/messaging';
import { initMetrics, startMetricsServer } from '@pjs/metrics';
import { loadDbuConfig } from './config/dbu-config';
import { connectDbu } from './database/connect-dbu';
import { OutboxRelayService } from './messaging/outbox-relay.service';
import { createWorkerApp } from './worker.bootstrap';

async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadDbuConfig(), 'dbu-worker');
  const logger = createLogger({ service: 'dbu-worker', process: 'worker', level: config.LOG_LEVEL });
  initMetrics('dbu-worker');
  const dataSource = await connectDbu(config, 'worker');
  const app = await createWorkerApp(config, dataSource, logger);
  const amqp = app.get(AmqpConnection);
  const relay = app.get(OutboxRelayService);
  const server = await startMetricsServer({
    port: config.METRICS_PORT,
    health: async () => {
      const database = await pingDatabase(dataSource);
      const broker = isBrokerConnected(amqp);
      return { ok: database && broker, service: 'dbu-worker', database, broker };
    },
    beforeScrape: () => relay.refreshMetrics(),
  });
  stopWorkerOnSignal({
    app,
    amqp,
    logger,
    timeoutMs: config.DRAIN_TIMEOUT,
    onStopped: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  logger.info('dbu-worker started', { metrics_port: config.METRICS_PORT, signal_url: !!config.SIGNAL_URL });
}

main().catch(exitOnStartupError('dbu-worker'));
