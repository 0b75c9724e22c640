import { CronJob } from 'cron';
import type { Logger } from '@pjs/logger';
import type { UploadCleanupService } from './upload-cleanup.service';

/** dbu-cleanup's schedule: `cleanup-uploads` at CLEANUP_SCHEDULE, one run at a time. */
export class CleanupScheduler {
  private job?: CronJob;
  private running?: Promise<void>;

  constructor(
    private readonly cleanup: UploadCleanupService,
    private readonly logger: Logger,
    private readonly settings: { schedule: string; olderThanMs: number },
  ) {}

  start(): void {
    this.job = CronJob.from({
      cronTime: this.settings.schedule,
      onTick: () => this.runOnce(),
      start: true,
      waitForCompletion: true,
    });
    this.logger.info('cleanup scheduled', { schedule: this.settings.schedule, next: this.job.nextDate().toISO() });
  }

  /** One run now (skipped when one is already running). */
  runOnce(): Promise<void> {
    this.running ??= this.cleanup
      .cleanup({ olderThanMs: this.settings.olderThanMs })
      .then(() => undefined)
      .catch((err: unknown) => {
        this.logger.error('cleanup-uploads failed', { err });
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    await this.job?.stop();
    await this.running;
  }
}
