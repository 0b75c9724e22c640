import { Inject, Injectable, Optional } from '@nestjs/common';
import type { FastifyRequest, RouteOptions } from 'fastify';
import type { ErrorBody } from '../api.exception';
import { ANY_CALLER, routeKey, type AccessPolicy, type RouteRule } from './access-policy';
import { IpAllowlist, type EmptyAllowlist } from './ip-allowlist';
import { currentCorrelationContext } from '@pjs/logger';
import { CREDENTIAL_VERIFIER, type CredentialVerdict, type CredentialVerifier } from './principal';

export const ACCESS_OPTIONS = Symbol('ACCESS_OPTIONS');

export interface AccessOptions {
  policy: AccessPolicy;
  /** `INTERNAL_ALLOWED_IPS`: entries of routes that allow `internal`. Empty: see `emptyAllowlist`. */
  internalAllowedIps: readonly string[];
  /** `ADMIN_ALLOWED_IPS`: entries of routes that allow `admin`. Empty: see `emptyAllowlist`. */
  adminAllowedIps: readonly string[];
  /** What an empty list does: `deny-all` in production, `allow-all` (the default) elsewhere. */
  emptyAllowlist?: EmptyAllowlist;
}

/** A route's rule with its allowlists resolved, kept in the route's Fastify config. */
export interface ResolvedRule extends RouteRule {
  key: string;
  lists: readonly IpAllowlist[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's rule of the access policy, attached when the route is registered. */
    access?: ResolvedRule;
  }
}

/** A request the pipeline turns away, with the answer to give. */
export interface Refusal {
  body: ErrorBody;
  retryAfterSeconds?: number;
}

const NOT_AUTHENTICATED: ErrorBody = {
  statusCode: 401,
  code: 'not_authenticated',
  message: 'Authentication credentials were not provided or are invalid.',
};
const ADDRESS_NOT_ALLOWED: ErrorBody = {
  statusCode: 403,
  code: 'address_not_allowed',
  message: 'Your address may not use this route.',
};

/**
 * Deny by default, in one place: each route gets its rule from the policy when it is registered
 * (a route without one stops the start-up), and every request is checked against it before its
 * body is read: client address against the route's allowlists, then credentials and scope.
 */
@Injectable()
export class AccessControl {
  private readonly lists: Record<'internal' | 'admin', IpAllowlist>;
  readonly routes: ResolvedRule[] = [];

  constructor(
    @Inject(ACCESS_OPTIONS) private readonly options: AccessOptions,
    @Optional() @Inject(CREDENTIAL_VERIFIER) private readonly verifier?: CredentialVerifier,
  ) {
    this.lists = {
      internal: new IpAllowlist(options.internalAllowedIps, options.emptyAllowlist),
      admin: new IpAllowlist(options.adminAllowedIps, options.emptyAllowlist),
    };
  }

  get policy(): AccessPolicy {
    return this.options.policy;
  }

  /** Fastify `onRoute`: attaches the route's rule, or refuses to register an unplaced route. */
  resolve(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const keys = methods.map((m) => routeKey(m, route.url));
    const rule = this.options.policy.routes[keys[0]];
    if (!rule) {
      throw new Error(
        `${this.options.policy.service}: route "${keys[0]}" has no entry in the access policy (deny by default)`,
      );
    }
    const resolved: ResolvedRule = {
      ...rule,
      key: keys[0],
      // An empty list that allows everyone costs nothing per request; one that denies stays.
      lists: rule.allow.map((name) => this.lists[name]).filter((list) => !list.empty || list.whenEmpty === 'deny-all'),
    };
    route.config = { ...(route.config as object), access: resolved };
    if (!methods.includes('HEAD')) this.routes.push(resolved);
  }

  /** undefined when the request may go on; sync unless credentials must be looked up. */
  check(request: FastifyRequest): Refusal | undefined | Promise<Refusal | undefined> {
    const rule = (request.routeOptions.config as { access?: ResolvedRule }).access;
    if (!rule) return undefined; // unmatched: the not-found handler answers
    if (rule.lists.length) {
      const ip = request.ip;
      for (const list of rule.lists) if (!list.allows(ip)) return { body: { ...ADDRESS_NOT_ALLOWED } };
    }
    if (rule.scope === null) return undefined;
    const verdict = this.verifier?.verify(request);
    return verdict instanceof Promise
      ? verdict.then((v) => this.admit(request, rule, v))
      : this.admit(request, rule, verdict);
  }

  private admit(request: FastifyRequest, rule: ResolvedRule, verdict: CredentialVerdict): Refusal | undefined {
    if (!verdict) return { body: { ...NOT_AUTHENTICATED } };
    if ('refused' in verdict) return { body: { ...verdict.refused } };
    const principal = verdict;
    if (rule.scope !== ANY_CALLER && !principal.scopes.has(rule.scope!)) {
      return {
        body: {
          statusCode: 403,
          code: 'insufficient_scope',
          scope: rule.scope,
          message: `This action needs the "${rule.scope}" scope.`,
        },
      };
    }
    request.principal = principal;
    const context = currentCorrelationContext();
    if (context) {
      context.actor = { userId: principal.userId, username: principal.username, tokenPrefix: principal.tokenPrefix };
    }
    return undefined;
  }
}
