import type { EntityManager } from 'typeorm';
import { currentCorrelationId } from '@pjs/logger';
import { createEnvelope, type Envelope } from './envelope';

/**
 * Writes an event into the outbox inside the caller's transaction: it is published only if the
 * transaction commits, and it survives a broker outage (the relay retries until it is confirmed).
 */
export async function enqueueEvent<T>(
  manager: EntityManager,
  type: string,
  data: T,
  routingKey: string = type,
): Promise<Envelope<T>> {
  const envelope = createEnvelope(type, data, currentCorrelationId());
  await manager.query(`INSERT INTO outbox_messages (id, type, routing_key, envelope) VALUES ($1, $2, $3, $4)`, [
    envelope.id,
    type,
    routingKey,
    JSON.stringify(envelope),
  ]);
  return envelope;
}
