import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CronJob } from 'cron';
import { type DataSource } from '@pjs/database';
import type { Logger } from '@pjs/logger';
import { queryRows } from '../catalogue/sql';
import type { CategoriesSyncService } from './categories-sync.service';

/** dbu-worker: refreshes the category tree on CATEGORIES_SCHEDULE (one worker at a time). */
export class CategoriesScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: CronJob;

  constructor(
    private readonly db: DataSource,
    private readonly sync: CategoriesSyncService,
    private readonly logger: Logger,
    private readonly schedule: string,
  ) {}

  onApplicationBootstrap(): void {
    this.job = CronJob.from({
      cronTime: this.schedule,
      onTick: () => this.runOnce(),
      start: true,
      waitForCompletion: true,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** Runs the sync unless another worker is running it; failures are logged (and counted). */
  async runOnce(): Promise<void> {
    const lock = this.db.createQueryRunner();
    await lock.connect();
    try {
      const [free] = await queryRows<{ ok: boolean }>(
        lock,
        `SELECT pg_try_advisory_lock(hashtext('dbu.categories')) AS ok`,
      );
      if (!free?.ok) return;
      try {
        await this.sync.sync();
      } catch (err) {
        this.logger.error('category sync failed', { err: (err as Error).message });
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(hashtext('dbu.categories'))`);
      }
    } finally {
      await lock.release();
    }
  }
}
