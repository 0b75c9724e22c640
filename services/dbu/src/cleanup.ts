import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@pjs/config';
import { pingDatabase } from '@pjs/database';
import { createLogger, exitOnStartupError, NestWinstonLogger } from '@pjs/logger';
import { initMetrics, startMetricsServer } from '@pjs/metrics';
import { CleanupAppModule } from './cleanup-app.module';
import { CleanupScheduler } from './cleanup/cleanup-scheduler';
import { loadDbuConfig } from './config/dbu-config';
import { connectDbu } from './database/connect-dbu';

/**
 * dbu-cleanup: runs `cleanup-uploads` on CLEANUP_SCHEDULE (deletes upload files older than
 * CLEANUP_OLDER_THAN that no queued or running import needs; never database records). Serves
 * `/metrics` (dbu_uploads_cleaned_total) and `/health` on METRICS_PORT for Prometheus and probes.
 */
async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadDbuConfig(), 'dbu-cleanup');
  const logger = createLogger({ service: 'dbu-cleanup', process: 'cleanup', level: config.LOG_LEVEL });
  initMetrics('dbu-cleanup');
  const dataSource = await connectDbu(config, 'cleanup');
  const app = await NestFactory.createApplicationContext(CleanupAppModule.forRoot(config, dataSource, logger), {
    logger: new NestWinstonLogger(logger),
  });
  const scheduler = app.get(CleanupScheduler);
  scheduler.start();
  const metrics = await startMetricsServer({
    port: config.METRICS_PORT,
    health: async () => {
      const database = await pingDatabase(dataSource);
      return { ok: database, service: 'dbu-cleanup', database };
    },
  });
  logger.info('dbu-cleanup started', {
    schedule: config.CLEANUP_SCHEDULE,
    older_than_ms: config.CLEANUP_OLDER_THAN,
    metrics_port: config.METRICS_PORT,
  });
  const stop = (signal: string) => {
    logger.info('dbu-cleanup stopping', { signal });
    void scheduler
      .stop()
      .then(() => new Promise<void>((resolve) => metrics.close(() => resolve())))
      .then(() => app.close())
      .then(() => dataSource.destroy())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch(exitOnStartupError('dbu-cleanup'));
