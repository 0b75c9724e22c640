import 'reflect-metadata';
import { loadConfigOrExit } from '@pjs/config';
import { createLogger, exitOnStartupError } from '@pjs/logger';
import { CleanupScheduler } from './cleanup/cleanup-scheduler';
import { UploadCleanupService } from './cleanup/upload-cleanup.service';
import { loadDbuConfig } from './config/dbu-config';
import { connectDbu } from './database/connect-dbu';
import { ImportRunRepository } from './imports/import-run.repository';
import { MediaStore } from './imports/media-store';

/**
 * dbu-cleanup: runs `cleanup-uploads` on CLEANUP_SCHEDULE (deletes upload files older than
 * CLEANUP_OLDER_THAN that no queued or running import needs; never database records).
 */
async function main(): Promise<void> {
  const config = await loadConfigOrExit(() => loadDbuConfig(), 'dbu-cleanup');
  const logger = createLogger({ service: 'dbu-cleanup', process: 'cleanup', level: config.LOG_LEVEL });
  const dataSource = await connectDbu(config, 'dbu-cleanup');
  const scheduler = new CleanupScheduler(
    new UploadCleanupService(new MediaStore(config.MEDIA_DIR), new ImportRunRepository(dataSource), logger),
    logger,
    { schedule: config.CLEANUP_SCHEDULE, olderThanMs: config.CLEANUP_OLDER_THAN },
  );
  scheduler.start();
  logger.info('dbu-cleanup started', { schedule: config.CLEANUP_SCHEDULE, older_than_ms: config.CLEANUP_OLDER_THAN });
  const stop = (signal: string) => {
    logger.info('dbu-cleanup stopping', { signal });
    void scheduler
      .stop()
      .then(() => dataSource.destroy())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch(exitOnStartupError('dbu-cleanup'));
