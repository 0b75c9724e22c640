import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { type DataSource } from '@pjs/database';
import type { Logger } from '@pjs/logger';
import { OutboxRelay, type EnvelopeSink, type OutboxRelayOptions } from '@pjs/messaging';

/**
 * The transactional outbox's relay as a Nest provider: publishes committed events (import jobs
 * from dbu-web, `dbu.catalogue.imported` from imports) with publisher confirms, retrying while
 * the broker is down. dbu-web and dbu-worker both run one (rows are taken with SKIP LOCKED).
 */
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(db: DataSource, sink: EnvelopeSink, logger: Logger, options: OutboxRelayOptions = {}) {
    this.relay = new OutboxRelay(db, sink, logger, options);
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }

  /** Look now: this process just committed an event. */
  notify(): void {
    this.relay.notify();
  }

  /** The outbox_backlog gauges, before a scrape. */
  refreshMetrics(): Promise<void> {
    return this.relay.refreshMetrics();
  }
}
