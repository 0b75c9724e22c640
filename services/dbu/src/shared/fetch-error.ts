import { EgressRefused } from '@pjs/egress';

/**
 * A short reason for a failed `fetch` (timeout, refused connection, unknown host, an address we do
 * not fetch from …), for messages. Never carries bytes of a response.
 */
export function describeFetchError(err: unknown): string {
  if (err instanceof EgressRefused) return `refused: ${err.reason}`;
  const e = err as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string; errors?: { code?: string }[] };
  };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
  return e.cause?.code ?? e.cause?.errors?.[0]?.code ?? e.cause?.message ?? e.message ?? String(err);
}
