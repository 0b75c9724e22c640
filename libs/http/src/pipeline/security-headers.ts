import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The policy of API answers: nothing may be loaded, framed or sniffed from them. Pages that need
 * more (the status page, the admin) set their own CSP. Left to nginx: HSTS (it terminates TLS).
 * Left out: headers that only ever applied to old browsers or to HTML documents opening windows.
 */
const API_HEADERS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  referrerPolicy: { policy: 'no-referrer' },
  xFrameOptions: { action: 'deny' },
  strictTransportSecurity: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/**
 * helmet's security headers, computed once: the policy does not depend on the request, so helmet
 * runs once at start-up against a recording response and every answer gets the recorded headers.
 * (@fastify/helmet runs helmet anew for every request: 14 % of a request's CPU in
 * bench/pipeline; see docs/architecture.md.)
 */
export function securityHeaders(options: HelmetOptions = API_HEADERS): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  } as unknown as ServerResponse;
  helmet(options)({} as IncomingMessage, recorder, () => undefined);
  return Object.freeze(headers);
}
