import type { AccessPolicy } from '@pjs/http';
import type { ThrottleOptions } from './login-throttle';

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export interface AuthOptions {
  /** The service's access policy: its scopes and what a non-admin account may do. */
  policy: AccessPolicy;
  /** `AUTH_TOKEN_CACHE_TTL`: how long a verified credential is trusted without asking the database. */
  tokenCacheTtlMs?: number;
  /** `TOKEN_TTL`: lifetime of a token issued by a password login (default 30 days). */
  loginTokenTtlMs?: number;
  /** `LOGIN_TOKENS_PER_USER`: live login tokens a user keeps; older ones are revoked (default 5). */
  loginTokensPerUser?: number;
  /** `SESSION_IDLE_TIMEOUT` (default 30 min) and `SESSION_MAX_AGE` (default 12 h) of people's sessions. */
  sessionIdleMs?: number;
  sessionMaxAgeMs?: number;
  /** Send the session cookie with `Secure` (everywhere but development). */
  secureCookies?: boolean;
  /**
   * Origins the browser pages that use sessions are served from (PUBLIC_BASE_URL); a state-changing
   * request with a session must come from one. Empty: the request's own Host.
   */
  allowedOrigins?: readonly string[];
  loginThrottle?: ThrottleOptions;
}

export const AUTH_DEFAULTS = {
  tokenCacheTtlMs: 30_000,
  loginTokenTtlMs: 30 * 86_400_000,
  loginTokensPerUser: 5,
  sessionIdleMs: 30 * 60_000,
  sessionMaxAgeMs: 12 * 3_600_000,
};

/** The shortest password a new account or a password change may have. */
export const MIN_PASSWORD_LENGTH = 12;
