import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '@pjs/logger';
import { CatalogueReconciler } from './catalogue-reconciler';

export const RECONCILE_OPTIONS = Symbol('RECONCILE_OPTIONS');

export interface ReconcileOptions {
  /** RECONCILE_INTERVAL: between the end of one run and the start of the next. */
  intervalMs: number;
}

/**
 * im-worker's schedule of the catalogue reconciler: one run right after start-up, then one every
 * RECONCILE_INTERVAL; one at a time in this process (and across processes by the reconciler's
 * advisory lock). A failed run (DBU down) is logged and counted; the next one retries.
 */
@Injectable()
export class ReconcileScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly reconciler: CatalogueReconciler,
    @Inject(RECONCILE_OPTIONS) private readonly options: ReconcileOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.logger.info('catalogue reconcile scheduled', { interval_ms: this.options.intervalMs });
    void this.runOnce();
  }

  /** One run now (joins the running one, if any), then the next is scheduled. */
  runOnce(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.running ??= this.reconciler
      .reconcile()
      .then(() => undefined)
      .catch(() => undefined) // logged and counted by the reconciler
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(() => void this.runOnce(), this.options.intervalMs);
      });
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.reconciler.stop();
    await this.running;
  }
}
