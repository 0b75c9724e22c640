import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CronJob } from 'cron';
import { ClusterJobs } from '@pjs/database';
import { minGapOf } from '../shared/cron-gap';
import { LOGGER, type Logger } from '@pjs/logger';
import { CATEGORIES_SYNC_OPTIONS, type CategoriesSyncOptions } from './categories-sync.options';
import { CategoriesSyncService } from './categories-sync.service';

/** dbu-worker: refreshes the category tree on CATEGORIES_SCHEDULE (once per tick across workers). */
@Injectable()
export class CategoriesScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: CronJob;

  constructor(
    private readonly cluster: ClusterJobs,
    private readonly sync: CategoriesSyncService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CATEGORIES_SYNC_OPTIONS) private readonly options: Pick<CategoriesSyncOptions, 'url' | 'schedule'>,
  ) {}

  /** Scheduled only when WHOLESALER_CATEGORIES_URL is set. */
  onApplicationBootstrap(): void {
    if (!this.options.url) return;
    this.job = CronJob.from({
      cronTime: this.options.schedule,
      onTick: () => (this.job ? this.runOnce(minGapOf(this.job)) : undefined),
      start: true,
      waitForCompletion: true,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /**
   * Runs the sync unless another worker is running it or (for a scheduled tick) already ran this
   * tick; failures are logged (and counted).
   */
  async runOnce(minGapMs = 0): Promise<void> {
    await this.cluster.runOnce('dbu.categories', minGapMs, async () => {
      try {
        await this.sync.sync();
      } catch (err) {
        this.logger.error('category sync failed', { err: (err as Error).message });
      }
    });
  }
}
