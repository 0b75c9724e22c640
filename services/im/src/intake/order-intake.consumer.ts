import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { EventTypes } from '@pjs/contracts';
import { DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import {
  AmqpConnection,
  InvalidMessageError,
  PermanentMessageError,
  processOnce,
  startConsumer,
  type Envelope,
  type HandlerOutcome,
  type MessageContext,
} from '@pjs/messaging';
import { ImQueues } from '../core/im-queues';
import { OrderValidationError } from '../receive/receive.schema';
import { ReceiveService } from '../receive/receive.service';

/**
 * AMQP intake: an `im.order.received` message carries the `POST /api/receive/` body and is
 * applied by the same ReceiveService, with the same validation and idempotency. An invalid body
 * is dead-lettered at once with the reason (naming the field) in `x-error`; the same message
 * delivered twice, or the same order number in two messages, creates the order once.
 */
@Injectable()
export class OrderIntakeConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly amqp: AmqpConnection,
    private readonly db: DataSource,
    private readonly receiving: ReceiveService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await startConsumer(
      this.amqp,
      { ...ImQueues.orderIntake, handle: (envelope, context) => this.handle(envelope, context) },
      this.logger,
    );
  }

  async handle(envelope: Envelope, context: MessageContext): Promise<HandlerOutcome> {
    if (envelope.type !== EventTypes.orderReceived) {
      throw new PermanentMessageError(
        `unexpected message type "${envelope.type}" (this queue takes "${EventTypes.orderReceived}")`,
      );
    }
    const producer = context.message.properties.appId as unknown;
    const actor = {
      name: typeof producer === 'string' && producer ? `amqp:${producer.slice(0, 190)}` : 'amqp',
      tokenId: null,
      source: 'amqp' as const,
    };
    // The message id is recorded in a transaction that commits after the order's own one: a crash
    // in between redelivers, and the known order number then changes nothing.
    const outcome = await processOnce(this.db, ImQueues.orderIntake.queue, envelope.id, async () => {
      try {
        return await this.receiving.receivePayload(envelope.data, actor);
      } catch (err) {
        if (err instanceof OrderValidationError) {
          throw new InvalidMessageError(`invalid ${EventTypes.orderReceived} data: ${err.message}`);
        }
        throw err;
      }
    });
    if (outcome.duplicate) return 'duplicate';
    const { created, order } = outcome.result;
    this.logger.info(created ? 'order received over AMQP' : 'order already known; nothing changed', {
      order_number: order.order_number,
      message_id: envelope.id,
    });
    return created ? undefined : 'duplicate';
  }
}
