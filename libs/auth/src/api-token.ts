import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'pjs_';

/** A new API token: 256 random bits; only its SHA-256 is stored. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Tokens carry 256 bits of entropy, so a fast hash is enough (no dictionary to attack). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Reads `Authorization: Token <t>` (DRF form) or `Bearer <t>`. */
export function tokenFromAuthorizationHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^(Token|Bearer)\s+(\S+)\s*$/i.exec(header);
  return match?.[2];
}
