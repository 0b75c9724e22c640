import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { IDEMPOTENCY_OPTIONS, IdempotencyService, type IdempotencyOptions } from './idempotency.service';

/** Where the sweep reports what it did (a service's logger); optional. */
export const IDEMPOTENCY_LOG = Symbol('IDEMPOTENCY_LOG');
export interface IdempotencyLog {
  info(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/**
 * The retention job: every IDEMPOTENCY_SWEEP_INTERVAL, deletes the keys older than
 * IDEMPOTENCY_RETENTION (one indexed DELETE on `created_at`). Runs in each process that imports
 * IdempotencyModule from start-up to shutdown; concurrent sweeps of several replicas are harmless.
 */
@Injectable()
export class IdempotencyRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly idempotency: IdempotencyService,
    @Inject(IDEMPOTENCY_OPTIONS) private readonly options: IdempotencyOptions,
    @Optional() @Inject(IDEMPOTENCY_LOG) private readonly log?: IdempotencyLog | null,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.sweepIntervalMs <= 0) return;
    this.timer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep now (joins one that is running); answers how many keys were forgotten. */
  sweep(): Promise<number> {
    this.running ??= this.idempotency
      .forgetOld()
      .then((removed) => {
        if (removed > 0) this.log?.info('idempotency keys forgotten', { removed });
        return removed;
      })
      .catch((err: unknown) => {
        this.log?.error('idempotency key sweep failed', { err });
        return 0;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
