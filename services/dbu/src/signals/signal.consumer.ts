import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { EventTypes } from '@pjs/contracts';
import { LOGGER, type Logger } from '@pjs/logger';
import { AmqpConnection, startConsumer } from '@pjs/messaging';
import { DbuQueues } from '../messaging/dbu-jobs';
import { SignalSender } from './signal-sender';
import { SIGNAL_OPTIONS, type SignalOptions } from './signal.options';

/**
 * SIGNAL_URL after every committed import: its own durable queue bound to
 * `dbu.catalogue.imported`, so a receiver that is down is retried with growing delays
 * (SIGNAL_RETRY_AFTER doubling, at most 1 h) across worker restarts, then dead-lettered.
 */
@Injectable()
export class SignalConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly amqp: AmqpConnection,
    private readonly sender: SignalSender,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SIGNAL_OPTIONS) private readonly settings: Pick<SignalOptions, 'maxAttempts' | 'retryAfterMs'>,
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
