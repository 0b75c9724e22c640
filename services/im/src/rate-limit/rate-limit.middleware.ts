import type { RequestHandler } from 'express';
import { hashToken, tokenFromAuthorizationHeader } from '@pjs/auth';
import { currentCorrelationId } from '@pjs/logger';
import { counter } from '@pjs/metrics';
import { SlidingWindowLimiter } from './sliding-window';

export interface RateLimitOptions {
  /** Requests per window per API token (`RATE_LIMIT_PER_TOKEN`); 0 disables. */
  perToken: number;
  /** Requests per window per client address (`RATE_LIMIT_PER_IP`); 0 disables. */
  perIp: number;
  /** `RATE_LIMIT_WINDOW` in ms. */
  windowMs: number;
  now?: () => number;
}

const rateLimited = counter<'scope'>(
  'im_rate_limited_total',
  'Requests refused with 429 by the API rate limits, by scope (ip, token).',
  ['scope'],
);

/**
 * Rate limits for `/api`: first per client address (req.ip, proxy-aware via TRUST_PROXY), then
 * per presented token (keyed by its hash; a made-up token only spends its own budget and still
 * counts against its address). Answers 429 with Retry-After in our JSON error shape.
 */
export function rateLimitMiddleware(options: RateLimitOptions): RequestHandler {
  const byIp = new SlidingWindowLimiter(options.perIp, options.windowMs, options.now);
  const byToken = new SlidingWindowLimiter(options.perToken, options.windowMs, options.now);
  if (!byIp.enabled && !byToken.enabled) return (_req, _res, next) => next();
  return (req, res, next) => {
    let scope: 'ip' | 'token' = 'ip';
    let wait = byIp.hit(req.ip ?? 'unknown');
    if (wait === 0 && byToken.enabled) {
      const token = tokenFromAuthorizationHeader(req.headers.authorization);
      if (token) {
        scope = 'token';
        wait = byToken.hit(hashToken(token));
      }
    }
    if (wait === 0) return next();
    rateLimited.inc({ scope });
    res.setHeader('Retry-After', String(wait));
    res.status(429).json({
      statusCode: 429,
      code: 'rate_limited',
      message: `Too many requests (per ${scope === 'ip' ? 'address' : 'token'}); try again in ${wait} s.`,
      request_id: currentCorrelationId(),
    });
  };
}
