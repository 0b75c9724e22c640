import { Inject, Injectable } from '@nestjs/common';
import { AuditWriter } from '@pjs/audit';
import { accountScopes, type Principal } from '@pjs/http';
import { DataSource } from 'typeorm';
import { generateToken, hashToken, visiblePrefix } from './api-token';
import { AuthChangeListener } from './auth-change.listener';
import { AUTH_DEFAULTS, AUTH_OPTIONS, type AuthOptions } from './auth.options';
import type { Queryable } from './queryable';
import { TokenRepository, type TokenOwner, type TokenSummary } from './token.repository';
import { CredentialCache } from './token-cache';
import { UserRepository } from './user.repository';

/** A new token: the secret (shown once) and what is stored about it. */
export interface IssuedToken {
  token: string;
  summary: TokenSummary;
}

/**
 * API tokens: issuing (login tokens expire and are bounded per user; named tokens carry scopes and
 * an optional expiry), revoking, listing, and turning a presented secret into a caller. A token's
 * rights are its scopes within its account's — never more than the account has today.
 */
@Injectable()
export class TokenService {
  private readonly cache: CredentialCache<Principal>;
  private readonly scopes: { admin: ReadonlySet<string>; user: ReadonlySet<string>; all: ReadonlySet<string> };
  private readonly options: Required<Pick<AuthOptions, 'loginTokenTtlMs' | 'loginTokensPerUser'>>;

  constructor(
    private readonly db: DataSource,
    private readonly tokens: TokenRepository,
    private readonly users: UserRepository,
    private readonly audit: AuditWriter,
    private readonly changes: AuthChangeListener,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
  ) {
    this.cache = new CredentialCache(options.tokenCacheTtlMs ?? AUTH_DEFAULTS.tokenCacheTtlMs);
    const admin = accountScopes(options.policy, true);
    this.scopes = { admin, user: accountScopes(options.policy, false), all: admin };
    this.options = {
      loginTokenTtlMs: options.loginTokenTtlMs ?? AUTH_DEFAULTS.loginTokenTtlMs,
      loginTokensPerUser: options.loginTokensPerUser ?? AUTH_DEFAULTS.loginTokensPerUser,
    };
    changes.subscribe(() => this.cache.clear());
  }

  /** The scopes a caller of this service may be given. */
  get knownScopes(): ReadonlySet<string> {
    return this.scopes.all;
  }

  /** A password login's token: expires after TOKEN_TTL; the user's oldest beyond LOGIN_TOKENS_PER_USER are revoked. */
  async issueLoginToken(userId: number, tx?: Queryable): Promise<string> {
    const run = async (q: Queryable) => {
      const token = generateToken();
      await this.tokens.insert(
        {
          userId,
          name: 'login',
          hash: hashToken(token),
          prefix: visiblePrefix(token),
          kind: 'login',
          scopes: null,
          expiresAt: new Date(Date.now() + this.options.loginTokenTtlMs),
          createdBy: userId,
        },
        q,
      );
      await this.tokens.trimLoginTokens(userId, this.options.loginTokensPerUser, q);
      return token;
    };
    return tx ? run(tx) : this.db.transaction((q) => run(q));
  }

  /** A named token for a program (`tokens create`, the admin API); audited. */
  async create(
    request: {
      userId: number;
      name: string;
      scopes: readonly string[] | null;
      expiresInMs?: number | null;
      createdBy?: number | null;
    },
    tx?: Queryable,
  ): Promise<IssuedToken> {
    const user = await this.users.summary(request.userId, tx);
    if (!user) throw new TokenRequestError('user', 'no such user');
    if (!user.is_active) throw new TokenRequestError('user', 'the user is deactivated');
    if (request.scopes) {
      const allowed = user.is_admin ? this.scopes.admin : this.scopes.user;
      const unknown = request.scopes.filter((s) => !this.scopes.all.has(s));
      if (unknown.length) throw new TokenRequestError('scopes', `unknown scope ${unknown.join(', ')}`);
      const beyond = request.scopes.filter((s) => !allowed.has(s));
      if (beyond.length) throw new TokenRequestError('scopes', `${user.username} does not have ${beyond.join(', ')}`);
      if (!request.scopes.length) throw new TokenRequestError('scopes', 'name at least one scope');
    }
    const run = async (q: Queryable): Promise<IssuedToken> => {
      const token = generateToken();
      const id = await this.tokens.insert(
        {
          userId: request.userId,
          name: request.name,
          hash: hashToken(token),
          prefix: visiblePrefix(token),
          kind: 'api',
          scopes: request.scopes ? [...new Set(request.scopes)].sort() : null,
          expiresAt: request.expiresInMs ? new Date(Date.now() + request.expiresInMs) : null,
          createdBy: request.createdBy ?? null,
        },
        q,
      );
      const summary = (await this.tokens.summary(id, q))!;
      await this.audit.record(
        {
          action: 'token.create',
          resource: 'token',
          resourceId: id,
          details: {
            user: user.username,
            name: request.name,
            prefix: summary.prefix,
            scopes: summary.scopes,
            expires_at: summary.expires_at,
          },
        },
        q,
      );
      return { token, summary };
    };
    return tx ? run(tx) : this.db.transaction((q) => run(q));
  }

  /** Revokes a token by id; audited. False when there is no such live token. */
  async revoke(id: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const done = await this.tokens.revoke(id, tx);
      if (done) await this.audit.record({ action: 'token.revoke', resource: 'token', resourceId: id }, tx);
      return done;
    });
  }

  /** The live token whose id or visible prefix this is; refuses an ambiguous prefix. */
  async find(idOrPrefix: string): Promise<TokenSummary> {
    if (/^\d+$/.test(idOrPrefix)) {
      const summary = await this.tokens.summary(Number(idOrPrefix));
      if (!summary) throw new TokenRequestError('token', `no token with id ${idOrPrefix}`);
      return summary;
    }
    const matches = await this.tokens.findLiveByPrefix(idOrPrefix);
    if (matches.length === 0) throw new TokenRequestError('token', `no live token starts with ${idOrPrefix}`);
    if (matches.length > 1)
      throw new TokenRequestError(
        'token',
        `${matches.length} live tokens start with ${idOrPrefix}; give more characters or the id`,
      );
    return matches[0];
  }

  list(filter: {
    userId?: number;
    includeRevoked?: boolean;
    limit: number;
    afterId?: number;
  }): Promise<TokenSummary[]> {
    return this.tokens.list(filter);
  }

  /** The secret's caller; answered from the cache without a promise when it can be (the hot path). */
  authenticate(token: string): Principal | undefined | Promise<Principal | undefined> {
    const hash = hashToken(token);
    if (this.changes.live) {
      const cached = this.cache.get(hash);
      if (cached) return cached;
    }
    return this.tokens.findOwner(hash).then((owner) => {
      if (!owner) return undefined;
      const principal = this.principalOf(owner);
      if (this.changes.live) this.cache.set(hash, principal, owner.expiresAt);
      this.tokens.touch(owner.tokenId).catch(() => undefined);
      return principal;
    });
  }

  private principalOf(owner: TokenOwner): Principal {
    const account = owner.isAdmin ? this.scopes.admin : this.scopes.user;
    const scopes = owner.scopes ? new Set(owner.scopes.filter((s) => account.has(s))) : account;
    return {
      userId: owner.userId,
      username: owner.username,
      isAdmin: owner.isAdmin,
      scopes,
      via: 'token',
      tokenId: owner.tokenId,
      tokenName: owner.tokenName,
      tokenPrefix: owner.prefix ?? undefined,
    };
  }
}

/** A token request that cannot be met, naming the field at fault. */
export class TokenRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}
