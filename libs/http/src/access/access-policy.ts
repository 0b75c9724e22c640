/**
 * Who may call which route: the one table the access check reads (and the contracts document
 * shows). Each service writes its own with `defineAccessPolicy`; a route missing from it stops
 * the app at start-up, so no route is ever served without a decision.
 */

/** The address lists a route is restricted to: INTERNAL_ALLOWED_IPS, ADMIN_ALLOWED_IPS. */
export type Allowlist = 'internal' | 'admin';

export interface RouteRule {
  /** The scope the caller needs; null = public (no credentials asked). */
  scope: string | null;
  /** Every list named must allow the client address. */
  allow: readonly Allowlist[];
  /** Leave out of the access log and RED metrics (probes and scrapes). */
  quiet?: boolean;
}

export interface AccessPolicy {
  service: string;
  /** Every scope of the service, with what it is for. */
  scopes: Readonly<Record<string, string>>;
  /** The scopes of an account that is not admin (an admin account has all). */
  userScopes: readonly string[];
  /** `METHOD /path/:param` (no trailing slash; HEAD follows GET) → rule. */
  routes: Readonly<Record<string, RouteRule>>;
}

/** The scope of routes any authenticated caller may use (their own session, say). */
export const ANY_CALLER = '*';

export const publicRoute = (...allow: Allowlist[]): RouteRule => ({ scope: null, allow });
export const authenticated = (...allow: Allowlist[]): RouteRule => ({ scope: ANY_CALLER, allow });
export const probeRoute = (): RouteRule => ({ scope: null, allow: [], quiet: true });
export const scoped = (scope: string, ...allow: Allowlist[]): RouteRule => ({ scope, allow });

export function defineAccessPolicy<P extends AccessPolicy>(policy: P): P {
  for (const [key, rule] of Object.entries(policy.routes)) {
    if (!/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/.test(key)) throw new Error(`access policy: bad route key "${key}"`);
    if (key.endsWith('/') && !key.endsWith(' /')) throw new Error(`access policy: "${key}" must not end with a slash`);
    if (rule.scope !== null && rule.scope !== ANY_CALLER && !(rule.scope in policy.scopes)) {
      throw new Error(`access policy: "${key}" needs unknown scope "${rule.scope}"`);
    }
  }
  for (const scope of policy.userScopes) {
    if (!(scope in policy.scopes)) throw new Error(`access policy: unknown user scope "${scope}"`);
  }
  return policy;
}

/** The table key of a registered route: `GET /api/products/:item_no`. */
export function routeKey(method: string, url: string): string {
  const path = url.length > 1 && url.endsWith('/') ? url.slice(0, -1) : url;
  return `${method === 'HEAD' ? 'GET' : method} ${path}`;
}

/** Scope names of an account: all for admins, the policy's user scopes otherwise. */
export function accountScopes(policy: AccessPolicy, isAdmin: boolean): ReadonlySet<string> {
  return new Set(isAdmin ? Object.keys(policy.scopes) : policy.userScopes);
}
