import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { LOGGER, type Logger } from '@pjs/logger';
import { AuditRetention } from './audit-retention';
import { AUDIT_OPTIONS, type AuditOptions } from './audit.options';

/** How long after start-up the first retention pass runs (then every `retentionIntervalMs`). */
const FIRST_RUN_DELAY_MS = 60_000;

/**
 * Applies the audit retention on a timer in a long-running process (dbu-cleanup, im-worker): once
 * shortly after start-up, then every `retentionIntervalMs`. Running it in several replicas is
 * harmless (the deletes are idempotent). `pnpm dbu|im audit prune` runs the same pass by hand.
 */
@Injectable()
export class AuditRetentionJob implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly retention: AuditRetention,
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.options.retentionIntervalMs;
    if (!every) return;
    const schedule = (delay: number) => {
      this.timer = setTimeout(() => {
        this.running = this.runOnce().finally(() => {
          this.running = undefined;
          if (this.timer) schedule(every);
        });
      }, delay);
      this.timer.unref();
    };
    schedule(Math.min(FIRST_RUN_DELAY_MS, every));
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
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
