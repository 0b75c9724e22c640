import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ClusterJobs, type ScheduledClusterJob } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { AuditRetention } from './audit-retention';
import { AUDIT_OPTIONS, type AuditOptions } from './audit.options';

/** The job's name in `cluster_job_runs`. */
export const RETENTION_JOB = 'audit.retention';

/** How long after start-up the first retention pass runs (then every `retentionIntervalMs`). */
const FIRST_RUN_DELAY_MS = 60_000;

/**
 * Applies the audit retention on a timer in a long-running process (dbu-cleanup, im-worker): once
 * shortly after start-up, then every `retentionIntervalMs`, and once per interval however many
 * replicas run (ClusterJobs: the others find the interval's run taken). `pnpm dbu|im audit prune`
 * runs the same pass by hand.
 */
@Injectable()
export class AuditRetentionJob implements OnApplicationBootstrap, OnModuleDestroy {
  private scheduled?: ScheduledClusterJob;

  constructor(
    private readonly retention: AuditRetention,
    private readonly cluster: ClusterJobs,
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.options.retentionIntervalMs;
    if (!every) return;
    this.scheduled = this.cluster.schedule(RETENTION_JOB, every, () => this.runOnce(), {
      firstDelayMs: Math.min(FIRST_RUN_DELAY_MS, every),
      onError: (err) => this.logger.warn('audit retention could not be scheduled', { err }),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.scheduled?.stop();
  }

  /** One pass; failures are logged and tried again at the next interval. */
  async runOnce(): Promise<void> {
    try {
      const { deleted, addressesBlanked } = await this.retention.run();
      this.logger.info('audit retention applied', { deleted, addresses_blanked: addressesBlanked });
    } catch (err) {
      this.logger.warn('audit retention failed; trying again at the next interval', { err });
    }
  }
}
