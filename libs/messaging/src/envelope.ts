import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** Every message on the bus: `id` (for idempotency), `type`, `occurred_at`, `correlation_id`, `data`. */
export const envelopeSchema = z.object({
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(200),
  occurred_at: z.string().datetime({ offset: true }),
  correlation_id: z.string().max(200).optional(),
  data: z.unknown(),
});

export interface Envelope<T = unknown> {
  id: string;
  type: string;
  occurred_at: string;
  correlation_id?: string;
  data: T;
}

export function createEnvelope<T>(type: string, data: T, correlationId?: string): Envelope<T> {
  return {
    id: randomUUID(),
    type,
    occurred_at: new Date().toISOString(),
    ...(correlationId ? { correlation_id: correlationId } : {}),
    data,
  };
}

export class InvalidMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMessageError';
  }
}

/** Parses and validates an envelope; throws InvalidMessageError (never retried) when it is not one. */
export function parseEnvelope(content: unknown): Envelope {
  let value: unknown = content;
  if (Buffer.isBuffer(content)) {
    try {
      value = JSON.parse(content.toString('utf8'));
    } catch {
      throw new InvalidMessageError('body is not valid JSON');
    }
  }
  const result = envelopeSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidMessageError(
      `not a valid envelope: ${result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}

/** Validates `data` against a contract; failures are permanent (dead-lettered with the reason). */
export function parseData<T>(envelope: Envelope, schema: z.ZodType<T>): T {
  const result = schema.safeParse(envelope.data);
  if (!result.success) {
    throw new InvalidMessageError(
      `invalid ${envelope.type} data: ${result.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}
