import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { EnvelopePublisher, OutboxRelay, type OutboxRelayOptions } from '@pjs/messaging';

/** Tuning of the relay (tests make it poll faster); the defaults of OutboxRelay otherwise. */
export const OUTBOX_RELAY_OPTIONS = Symbol('OUTBOX_RELAY_OPTIONS');

/**
 * The transactional outbox's relay as a Nest provider: publishes committed events (import jobs
 * from dbu-web, `dbu.catalogue.imported` from imports) with publisher confirms, retrying while
 * the broker is down. dbu-web and dbu-worker both run one (rows are taken with SKIP LOCKED).
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(
    db: DataSource,
    publisher: EnvelopePublisher,
    @Inject(LOGGER) logger: Logger,
    @Optional() @Inject(OUTBOX_RELAY_OPTIONS) options?: OutboxRelayOptions,
  ) {
    this.relay = new OutboxRelay(db, publisher, logger, options ?? {});
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
