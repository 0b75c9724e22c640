import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of a SIGNAL_URL POST (see docs/imports.md, "Signals"). */
export const SIGNAL_HEADERS = {
  event: 'x-pjs-event',
  eventId: 'x-pjs-event-id',
  timestamp: 'x-pjs-timestamp',
  signature: 'x-pjs-signature',
} as const;

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with SIGNAL_SECRET. */
export function signSignal(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: recompute the signature over the raw body and compare in constant time;
 * refuse timestamps older than `toleranceSeconds` (replays).
 */
export function verifySignal(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  body: string,
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  if (!headers.timestamp || !headers.signature) return false;
  const sent = Number(headers.timestamp);
  if (!Number.isInteger(sent) || Math.abs(now / 1000 - sent) > toleranceSeconds) return false;
  const expected = Buffer.from(signSignal(secret, headers.timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
