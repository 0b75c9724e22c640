import type { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { CORRELATION_HEADER } from '@pjs/logger';
import type { Envelope } from './envelope';
import { EVENTS_EXCHANGE } from './topology';

export interface PublishOptions {
  exchange?: string;
  /** Give up (and let the caller retry) when the broker has not confirmed within this time. */
  timeoutMs?: number;
  headers?: Record<string, unknown>;
}

/** Publishes envelopes as persistent JSON messages and waits for the broker's confirm. */
export class EnvelopePublisher {
  constructor(private readonly amqp: AmqpConnection) {}

  async publish(envelope: Envelope, routingKey: string, options: PublishOptions = {}): Promise<void> {
    const ok = await this.amqp.publish(
      options.exchange ?? EVENTS_EXCHANGE,
      routingKey,
      Buffer.from(JSON.stringify(envelope)),
      {
        persistent: true,
        contentType: 'application/json',
        messageId: envelope.id,
        type: envelope.type,
        timestamp: Math.floor(Date.parse(envelope.occurred_at) / 1000),
        headers: {
          ...(envelope.correlation_id ? { [CORRELATION_HEADER]: envelope.correlation_id } : {}),
          ...options.headers,
        },
        timeout: options.timeoutMs ?? 5000,
      } as Parameters<AmqpConnection['publish']>[3],
    );
    if (!ok) throw new Error('broker did not accept the message');
  }
}
