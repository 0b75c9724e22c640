import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'pjs_';
/** How much of a token is kept visible (`pjs_` and 8 characters) to tell tokens apart. */
export const VISIBLE_PREFIX_LENGTH = 12;

/** A new secret: 256 random bits; only its SHA-256 is stored. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Secrets carry 256 bits of entropy, so a fast hash is enough (no dictionary to attack). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function visiblePrefix(token: string): string {
  return token.slice(0, VISIBLE_PREFIX_LENGTH);
}

/** Reads `Authorization: Token <t>` (DRF form) or `Bearer <t>`. */
export function tokenFromAuthorizationHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^(Token|Bearer)\s+(\S+)\s*$/i.exec(header);
  return match?.[2];
}
