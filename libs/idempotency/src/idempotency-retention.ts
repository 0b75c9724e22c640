import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterJobs, type ScheduledClusterJob } from '@pjs/database';
import { IDEMPOTENCY_OPTIONS, IdempotencyService, type IdempotencyOptions } from './idempotency.service';

/** Where the sweep reports what it did (a service's logger); optional. */
export const IDEMPOTENCY_LOG = Symbol('IDEMPOTENCY_LOG');
export interface IdempotencyLog {
  info(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** The sweep's name in `cluster_job_runs`. */
export const SWEEP_JOB = 'idempotency.sweep';

/**
 * The retention job: every IDEMPOTENCY_SWEEP_INTERVAL, deletes the keys older than
 * IDEMPOTENCY_RETENTION (one indexed DELETE on `created_at`). Every process that imports
 * IdempotencyModule keeps the timer, but one sweep per interval runs across all replicas
 * (ClusterJobs): the web apps scale out without multiplying the deletes.
 */
@Injectable()
export class IdempotencyRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private scheduled?: ScheduledClusterJob;
  private running?: Promise<number>;

  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly cluster: ClusterJobs,
    @Inject(IDEMPOTENCY_OPTIONS) private readonly options: IdempotencyOptions,
    @Optional() @Inject(IDEMPOTENCY_LOG) private readonly log?: IdempotencyLog | null,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.sweepIntervalMs <= 0) return;
    this.scheduled = this.cluster.schedule(
      SWEEP_JOB,
      this.options.sweepIntervalMs,
      async () => {
        await this.sweep();
      },
      { onError: (err) => this.log?.error('idempotency key sweep could not be scheduled', { err }) },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scheduled?.stop();
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
