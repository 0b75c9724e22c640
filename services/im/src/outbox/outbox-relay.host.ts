import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { EnvelopePublisher, OutboxRelay } from '@pjs/messaging';

/**
 * Runs the transactional outbox relay for the life of the process (im-web and im-worker): events
 * written with enqueueEvent reach the broker once committed, also after a broker outage.
 */
@Injectable()
export class OutboxRelayHost implements OnApplicationBootstrap, OnModuleDestroy {
  readonly relay: OutboxRelay;

  constructor(db: DataSource, publisher: EnvelopePublisher, @Inject(LOGGER) logger: Logger) {
    this.relay = new OutboxRelay(db, publisher, logger);
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
  }

  /** Publish now rather than at the next poll (after this process committed an event). */
  notify(): void {
    this.relay.notify();
  }

  refreshMetrics(): Promise<void> {
    return this.relay.refreshMetrics();
  }
}
