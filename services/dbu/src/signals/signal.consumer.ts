import type { OnApplicationBootstrap } from '@nestjs/common';
import { EventTypes } from '@pjs/contracts';
import type { Logger } from '@pjs/logger';
import { startConsumer, type AmqpConnection } from '@pjs/messaging';
import { DbuQueues } from '../imports/import.jobs';
import type { SignalSender } from './signal-sender';

/**
 * SIGNAL_URL after every committed import: its own durable queue bound to
 * `dbu.catalogue.imported`, so a receiver that is down is retried with growing delays
 * (SIGNAL_RETRY_AFTER doubling, at most 1 h) across worker restarts, then dead-lettered.
 */
export class SignalConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly amqp: AmqpConnection,
    private readonly sender: SignalSender,
    private readonly logger: Logger,
    private readonly settings: { maxAttempts: number; retryAfterMs: number },
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await startConsumer(
      this.amqp,
      {
        queue: DbuQueues.signal,
        routingKeys: [EventTypes.catalogueImported],
        maxAttempts: this.settings.maxAttempts,
        backoffMs: (attempt) => Math.min(this.settings.retryAfterMs * 2 ** (attempt - 1), 3_600_000),
        handle: (envelope, { attempt }) => this.sender.deliver(envelope, attempt),
      },
      this.logger,
    );
  }
}
