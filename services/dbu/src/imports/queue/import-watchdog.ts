import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { enqueueEvent } from '@pjs/messaging';
import { OutboxRelayService } from '../../messaging/outbox-relay.service';
import { IMPORT_WATCHDOG_OPTIONS, type ImportWatchdogOptions } from '../runs/import.options';
import { queryRows } from '../../shared/sql';
import { DbuJobs, type ImportRequested } from '../../messaging/dbu-jobs';

/**
 * Re-queues import runs that wait or run with nobody working on them (their job message was
 * lost, e.g. a purged queue): queued or running for `staleMs` without progress and not locked
 * by a live process. A duplicate job is harmless (the runner skips finished runs).
 */
@Injectable()
export class ImportWatchdog implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(IMPORT_WATCHDOG_OPTIONS) private readonly options: ImportWatchdogOptions,
    @Optional() private readonly relay?: OutboxRelayService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.check().catch((err: unknown) => {
        this.logger.warn('import watchdog failed', { err });
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Answers the ids that were queued again. */
  async check(): Promise<string[]> {
    const stale = await queryRows<{ id: string }>(
      this.db,
      `SELECT id FROM import_runs
        WHERE status IN ('queued', 'running') AND coalesce(heartbeat_at, created_at) < now() - $1 * interval '1 millisecond'
        ORDER BY created_at LIMIT 100`,
      [this.options.staleMs],
    );
    const requeued: string[] = [];
    for (const { id } of stale) {
      const done = await this.db.transaction(async (tx) => {
        const [free] = await queryRows<{ ok: boolean }>(
          tx,
          `SELECT pg_try_advisory_xact_lock(hashtext('dbu.import.' || $1)) AS ok`,
          [id],
        );
        if (!free?.ok) return false;
        await tx.query(`UPDATE import_runs SET heartbeat_at = now() WHERE id = $1`, [id]);
        await enqueueEvent<ImportRequested>(tx, DbuJobs.importRequested, { import_id: id });
        return true;
      });
      if (done) requeued.push(id);
    }
    if (requeued.length) {
      this.logger.warn('stale import runs queued again', { import_ids: requeued });
      this.relay?.notify();
    }
    return requeued;
  }
}
