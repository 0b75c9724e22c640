/**
 * Database conditions that pass by themselves: a statement or lock timeout under load, a
 * serialization failure or deadlock, a server shutting down or refusing connections, a pool that
 * found no free connection in time or was closed while the process drains. The caller may simply
 * try again (with its Idempotency-Key), so they answer 503 with Retry-After rather than 500.
 */
const TRANSIENT_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

/** What node-postgres and pg-pool say when no connection could be had or it went away. */
const TRANSIENT_CLIENT_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Cannot use a pool after calling end on the pool',
  'Client has encountered a connection error and is not queryable',
];

/** Seconds a client should wait before it retries a request refused for one of these reasons. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

export function isTransientDatabaseError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08')) return true;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return true;
  }
  return typeof message === 'string' && TRANSIENT_CLIENT_MESSAGES.some((known) => message.includes(known));
}
