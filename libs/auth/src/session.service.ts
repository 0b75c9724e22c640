import { Inject, Injectable } from '@nestjs/common';
import { AuditWriter } from '@pjs/audit';
import { accountScopes, type CredentialVerdict } from '@pjs/http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { hashToken } from './api-token';
import { AuthChangeListener } from './auth-change.listener';
import { AUTH_DEFAULTS, AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { SessionRepository, type SessionOwner } from './session.repository';
import { CredentialCache } from './token-cache';
import { UserRepository } from './user.repository';

export const SESSION_COOKIE = 'pjs_session';
export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A started session: the cookie's secret and the CSRF token, both shown to the browser once. */
export interface StartedSession {
  secret: string;
  csrfToken: string;
  sessionId: number;
  expiresAt: Date;
}

/**
 * People's browser sessions (the admin UI): a random secret in an HttpOnly, SameSite=Strict cookie,
 * only its hash stored; ends after SESSION_IDLE_TIMEOUT without use or SESSION_MAX_AGE in all.
 * A state-changing request made with a session needs the session's CSRF token in `X-CSRF-Token`
 * and an `Origin` (or `Referer`) of the service itself (or of PUBLIC_BASE_URL).
 */
@Injectable()
export class SessionService {
  private readonly cache: CredentialCache<SessionOwner>;
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly adminScopes: ReadonlySet<string>;
  private readonly userScopes: ReadonlySet<string>;
  private readonly allowedOrigins: readonly string[];

  constructor(
    private readonly db: DataSource,
    private readonly sessions: SessionRepository,
    private readonly users: UserRepository,
    private readonly audit: AuditWriter,
    private readonly changes: AuthChangeListener,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
  ) {
    // A short cache: the idle clock must still see the session's use.
    this.cache = new CredentialCache(Math.min(options.tokenCacheTtlMs ?? AUTH_DEFAULTS.tokenCacheTtlMs, 10_000));
    this.idleMs = options.sessionIdleMs ?? AUTH_DEFAULTS.sessionIdleMs;
    this.maxAgeMs = options.sessionMaxAgeMs ?? AUTH_DEFAULTS.sessionMaxAgeMs;
    this.adminScopes = accountScopes(options.policy, true);
    this.userScopes = accountScopes(options.policy, false);
    this.allowedOrigins = (options.allowedOrigins ?? []).map((o) => new URL(o).origin);
    changes.subscribe(() => this.cache.clear());
  }

  get maxAgeSeconds(): number {
    return Math.floor(this.maxAgeMs / 1000);
  }

  async start(userId: number, client: { ip?: string; userAgent?: string }): Promise<StartedSession> {
    const secret = randomBytes(32).toString('base64url');
    const csrfToken = csrfTokenOf(secret);
    const expiresAt = new Date(Date.now() + this.maxAgeMs);
    return this.db.transaction(async (tx) => {
      const sessionId = await this.sessions.insert(
        { hash: hashToken(secret), userId, expiresAt, clientIp: client.ip, userAgent: client.userAgent },
        tx,
      );
      await this.users.markLogin(userId, tx);
      await this.audit.record({ action: 'login', resource: 'session', resourceId: sessionId }, tx);
      return { secret, csrfToken, sessionId, expiresAt };
    });
  }

  async end(sessionId: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (await this.sessions.end(sessionId, tx)) {
        await this.audit.record({ action: 'logout', resource: 'session', resourceId: sessionId }, tx);
      }
    });
  }

  /** The caller of a request carrying a session cookie (and, for changes, the CSRF checks). */
  verify(
    secret: string,
    request: { method: string; headers: Record<string, string | string[] | undefined> },
  ): CredentialVerdict | Promise<CredentialVerdict> {
    const hash = hashToken(secret);
    const cached = this.changes.live ? this.cache.get(hash) : undefined;
    if (cached) return this.admit(cached, secret, request);
    return this.sessions.findLive(hash, this.idleMs).then((owner) => {
      if (!owner) return undefined;
      if (this.changes.live) this.cache.set(hash, owner, owner.expiresAt);
      this.sessions.touch(owner.sessionId).catch(() => undefined);
      return this.admit(owner, secret, request);
    });
  }

  private admit(
    owner: SessionOwner,
    secret: string,
    request: { method: string; headers: Record<string, string | string[] | undefined> },
  ): CredentialVerdict {
    if (UNSAFE_METHODS.has(request.method)) {
      const refusal = this.csrfRefusal(secret, request.headers);
      if (refusal) return { refused: { statusCode: 403, code: 'csrf_failed', message: refusal } };
    }
    return {
      userId: owner.userId,
      username: owner.username,
      isAdmin: owner.isAdmin,
      scopes: owner.isAdmin ? this.adminScopes : this.userScopes,
      via: 'session',
      sessionId: owner.sessionId,
    };
  }

  private csrfRefusal(secret: string, headers: Record<string, string | string[] | undefined>): string | undefined {
    const token = headers[CSRF_HEADER];
    if (typeof token !== 'string' || !token) return 'This change needs the X-CSRF-Token of your session.';
    const given = Buffer.from(token);
    const expected = Buffer.from(csrfTokenOf(secret));
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return 'The X-CSRF-Token does not match your session.';
    const origin = originOf(headers);
    if (!origin) return 'This change needs an Origin header.';
    const allowed = this.allowedOrigins.length
      ? this.allowedOrigins.includes(origin)
      : new URL(origin).host === first(headers['x-forwarded-host']) || new URL(origin).host === first(headers.host);
    return allowed ? undefined : `Changes are not accepted from ${origin}.`;
  }
}

/**
 * The session's CSRF token, derived from its secret: the server can give it to the page again
 * (after a reload, in another tab) without storing it, and a page of another site cannot know it.
 */
export function csrfTokenOf(sessionSecret: string): string {
  return createHash('sha256').update(`csrf|${sessionSecret}`).digest('base64url');
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The request's Origin, or the origin of its Referer when a browser sent no Origin. */
function originOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const origin = first(headers.origin);
  if (origin && origin !== 'null') return safeOrigin(origin);
  const referer = first(headers.referer);
  return referer ? safeOrigin(referer) : undefined;
}

function safeOrigin(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}
