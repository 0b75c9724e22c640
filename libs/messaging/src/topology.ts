import type { Channel } from 'amqplib';

/** The durable topic exchange every service publishes its events to. */
export const EVENTS_EXCHANGE = 'pjs.events';
/** Delayed redelivery: messages wait in `<queue>.retry` (per-message TTL), then return to `<queue>`. */
export const RETRY_EXCHANGE = 'pjs.retry';
/** Dead letters: `<queue>.dlq`, bound by the queue's name. */
export const DEAD_LETTER_EXCHANGE = 'pjs.dlx';

export const retryQueueName = (queue: string) => `${queue}.retry`;
export const deadLetterQueueName = (queue: string) => `${queue}.dlq`;

/** Arguments of a work queue: anything the broker dead-letters (rejects) goes to its DLQ. */
export function workQueueArguments(queue: string): Record<string, unknown> {
  return { 'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE, 'x-dead-letter-routing-key': queue };
}

/** Declares exchanges, the work queue, its retry queue and its dead-letter queue (idempotent). */
export async function declareQueueTopology(
  channel: Channel,
  queue: string,
  routingKeys: readonly string[],
): Promise<void> {
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
  await channel.assertExchange(RETRY_EXCHANGE, 'direct', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
  await channel.assertQueue(queue, { durable: true, arguments: workQueueArguments(queue) });
  for (const key of routingKeys) await channel.bindQueue(queue, EVENTS_EXCHANGE, key);
  await channel.assertQueue(retryQueueName(queue), {
    durable: true,
    arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
  });
  await channel.bindQueue(retryQueueName(queue), RETRY_EXCHANGE, queue);
  await channel.assertQueue(deadLetterQueueName(queue), { durable: true });
  await channel.bindQueue(deadLetterQueueName(queue), DEAD_LETTER_EXCHANGE, queue);
}
