import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The HTTP header and AMQP header that carry the request id between processes. */
export const REQUEST_ID_HEADER = 'x-request-id';
export const CORRELATION_HEADER = 'x-correlation-id';

/** Who acts in a request, as the audit trail records it. */
export interface ActingPrincipal {
  /** null for an operator at the command line. */
  userId: number | null;
  username: string;
  /** The visible prefix of the API token used, if one was. */
  tokenPrefix?: string;
}

/** What a request or message carries through every async step it causes. */
export interface CorrelationContext {
  correlationId: string;
  /** Set by the access check once the caller is known. */
  actor?: ActingPrincipal;
  /** The caller's address (proxy-aware), computed when first asked for. */
  clientIp?: () => string | undefined;
}

const storage = new AsyncLocalStorage<CorrelationContext>();
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

/** Runs `fn` inside an existing context (re-entering it where an emitter lost it). */
export function runInCorrelationContext<T>(context: CorrelationContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentCorrelationContext(): CorrelationContext | undefined {
  return storage.getStore();
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
