import type { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { CORRELATION_HEADER, runWithCorrelationId, sanitizeCorrelationId, type Logger } from '@pjs/logger';
import { InvalidMessageError, parseEnvelope, type Envelope } from './envelope';
import { messagingMetrics } from './messaging.metrics';
import { trackHandler } from './worker-drain';
import { DEAD_LETTER_EXCHANGE, RETRY_EXCHANGE, declareQueueTopology, workQueueArguments } from './topology';

export const ATTEMPTS_HEADER = 'x-attempts';
export const ERROR_HEADER = 'x-error';

export interface MessageContext {
  attempt: number;
  message: ConsumeMessage;
}

/** What a handler may answer: nothing (done) or 'duplicate' (already processed; counted apart). */
export type HandlerOutcome = void | 'duplicate';

export interface ConsumerDefinition {
  queue: string;
  routingKeys: readonly string[];
  handle(envelope: Envelope, context: MessageContext): Promise<HandlerOutcome>;
  /** Tries before a failing message is dead-lettered (default 5). */
  maxAttempts?: number;
  /** Delay before try n+1 (default 1 s doubling, capped at 60 s). */
  backoffMs?: (attempt: number) => number;
}

/** Thrown by a handler for a message that can never succeed: dead-lettered at once. */
export class PermanentMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMessageError';
  }
}

const defaultBackoff = (attempt: number) => Math.min(1000 * 2 ** (attempt - 1), 60_000);

/**
 * Subscribes a handler with manual acks. A message is acked only after the handler finished;
 * a failure is re-published to the retry queue with a growing delay, and after `maxAttempts`
 * (or at once for invalid messages) to the dead-letter queue with the reason in `x-error`.
 */
export async function startConsumer(
  amqp: AmqpConnection,
  definition: ConsumerDefinition,
  logger: Logger,
): Promise<void> {
  const { queue } = definition;
  const maxAttempts = definition.maxAttempts ?? 5;
  const backoff = definition.backoffMs ?? defaultBackoff;
  await amqp.managedChannel.addSetup((channel: Channel) =>
    declareQueueTopology(channel, queue, definition.routingKeys),
  );

  const consumed = messagingMetrics.consumed();
  const duration = messagingMetrics.handleDuration();

  const handler = async (raw: unknown, message?: ConsumeMessage): Promise<void> => {
    if (!message) return;
    await trackHandler(amqp, () => handle(raw, message));
  };

  const handle = async (raw: unknown, message: ConsumeMessage): Promise<void> => {
    const attempt = attemptOf(message) + 1;
    const envelope = parseEnvelope(raw);
    const correlationId =
      sanitizeCorrelationId(headerText(message, CORRELATION_HEADER)) ??
      sanitizeCorrelationId(envelope.correlation_id) ??
      envelope.id;
    const end = duration.startTimer({ queue });
    await runWithCorrelationId(correlationId, async () => {
      const outcome = await definition.handle(envelope, { attempt, message });
      consumed.inc({ queue, outcome: outcome === 'duplicate' ? 'duplicate' : 'ack' });
      logger.debug('message handled', { queue, type: envelope.type, message_id: envelope.id, attempt, outcome });
    });
    end();
  };

  const errorHandler = async (channel: Channel, message: ConsumeMessage, error: unknown): Promise<void> => {
    const attempt = attemptOf(message) + 1;
    const permanent = error instanceof InvalidMessageError || error instanceof PermanentMessageError;
    const reason = error instanceof Error ? error.message : String(error);
    const correlationId = sanitizeCorrelationId(headerText(message, CORRELATION_HEADER));
    const messageId = String(message.properties.messageId ?? '');
    const log = () => {
      if (permanent || attempt >= maxAttempts) {
        logger.error('message dead-lettered', { queue, attempt, reason, message_id: messageId });
      } else {
        logger.warn('message failed; will retry', { queue, attempt, reason, message_id: messageId });
      }
    };
    if (correlationId) runWithCorrelationId(correlationId, log);
    else log();

    const headers = {
      ...message.properties.headers,
      [ATTEMPTS_HEADER]: attempt,
      [ERROR_HEADER]: reason.slice(0, 1000),
    };
    const properties = { ...message.properties, headers, persistent: true };
    if (permanent || attempt >= maxAttempts) {
      channel.publish(DEAD_LETTER_EXCHANGE, queue, message.content, properties);
      consumed.inc({ queue, outcome: 'dead_letter' });
      messagingMetrics.deadLettered().inc({ queue });
    } else {
      channel.publish(RETRY_EXCHANGE, queue, message.content, { ...properties, expiration: String(backoff(attempt)) });
      consumed.inc({ queue, outcome: 'retry' });
    }
    // Ack the original only once the broker holds the copy; a crash before this redelivers it.
    const confirm = (channel as Partial<ConfirmChannel>).waitForConfirms;
    if (confirm) await confirm.call(channel);
    channel.ack(message);
  };

  await amqp.createSubscriber(
    handler,
    {
      queue,
      queueOptions: { durable: true, arguments: workQueueArguments(queue) },
      createQueueIfNotExists: true,
      allowNonJsonMessages: true,
      deserializer: (content: Buffer) => content,
      errorHandler,
    },
    queue,
  );
}

function attemptOf(message: ConsumeMessage): number {
  const value = Number(message.properties.headers?.[ATTEMPTS_HEADER] ?? 0);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function headerText(message: ConsumeMessage, name: string): string | undefined {
  const value: unknown = message.properties.headers?.[name];
  return typeof value === 'string' ? value : undefined;
}
