import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The HTTP header and AMQP header that carry the correlation id between processes. */
export const REQUEST_ID_HEADER = 'x-request-id';
export const CORRELATION_HEADER = 'x-correlation-id';

const storage = new AsyncLocalStorage<{ correlationId: string }>();
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function newCorrelationId(): string {
  return randomUUID();
}

/** Accepts a caller's id only if it is short and plain, so it cannot inject into logs. */
export function sanitizeCorrelationId(value: unknown): string | undefined {
  return typeof value === 'string' && SAFE_ID.test(value) ? value : undefined;
}

export function runWithCorrelationId<T>(correlationId: string, fn: () => T): T {
  return storage.run({ correlationId }, fn);
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
