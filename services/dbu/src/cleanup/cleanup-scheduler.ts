import { Inject, Injectable } from '@nestjs/common';
import { CronJob } from 'cron';
import { ClusterJobs } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { ProductChangeService } from '../changes/product-change.service';
import { minGapOf } from '../shared/cron-gap';
import { CLEANUP_OPTIONS, type CleanupOptions } from './cleanup.options';
import { UploadCleanupService } from './upload-cleanup.service';

/**
 * dbu-cleanup's schedule: `cleanup-uploads` and the change log's compaction at CLEANUP_SCHEDULE,
 * one run at a time and once per tick however many replicas run (ClusterJobs). Started by
 * dbu-cleanup itself (the CLI has the same module for its cleanup-uploads command).
 */
@Injectable()
export class CleanupScheduler {
  private job?: CronJob;
  private running?: Promise<void>;

  constructor(
    private readonly cleanup: UploadCleanupService,
    private readonly cluster: ClusterJobs,
    private readonly changes: ProductChangeService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLEANUP_OPTIONS) private readonly settings: CleanupOptions,
  ) {}

  start(): void {
    this.job = CronJob.from({
      cronTime: this.settings.schedule,
      onTick: () => this.runScheduled(),
      start: true,
      waitForCompletion: true,
    });
    this.logger.info('cleanup scheduled', { schedule: this.settings.schedule, next: this.job.nextDate().toISO() });
  }

  /** The scheduled run: skipped when another replica took this tick. */
  private async runScheduled(): Promise<void> {
    const job = this.job;
    if (!job) return;
    await this.cluster
      .runOnce('dbu.cleanup-uploads', minGapOf(job), () => this.runOnce())
      .catch((err: unknown) => this.logger.error('cleanup-uploads could not be scheduled', { err }));
  }

  /** One run now (skipped when one is already running). */
  runOnce(): Promise<void> {
    this.running ??= this.cleanup
      .cleanup({ olderThanMs: this.settings.olderThanMs })
      .then(() => undefined)
      .catch((err: unknown) => {
        this.logger.error('cleanup-uploads failed', { err });
      })
      .then(() => this.changes.compact())
      .then(() => undefined)
      .catch((err: unknown) => {
        this.logger.error('product change log compaction failed', { err });
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
