import { parseDuration } from '@pjs/config';

/** The longest expiry a token may be given (100 years), for the API and the CLI alike. */
export const MAX_TOKEN_LIFETIME_DAYS = 36_500;
const MAX_TOKEN_LIFETIME_MS = MAX_TOKEN_LIFETIME_DAYS * 86_400_000;

/** What a caller is told when a token's expiry is not acceptable. */
export const TOKEN_LIFETIME_RULE = `a duration such as 90d or 12h, at most ${MAX_TOKEN_LIFETIME_DAYS}d`;

/**
 * A token's lifetime in milliseconds from a duration such as `90d`, or undefined when the text is
 * not a positive duration within the maximum (a later `expires_at` would overflow the dates we store).
 */
export function parseTokenLifetime(text: string): number | undefined {
  const ms = parseDuration(text);
  return ms && ms > 0 && ms <= MAX_TOKEN_LIFETIME_MS ? ms : undefined;
}
