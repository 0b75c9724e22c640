import type { RequestHandler } from 'express';
import { currentCorrelationId } from '@pjs/logger';
import { counter } from '@pjs/metrics';
import type { ApiRateLimits } from './api-rate-limits';

const rateLimited = counter<'scope'>(
  'im_rate_limited_total',
  'Requests refused with 429 by the API rate limits, by scope (ip, token).',
  ['scope'],
);

/**
 * Rate limits for `/api`: per client address (req.ip, proxy-aware via TRUST_PROXY), then per
 * presented token. Answers 429 with Retry-After in our JSON error shape.
 */
export function rateLimitMiddleware(limits: ApiRateLimits): RequestHandler {
  if (!limits.enabled) return (_req, _res, next) => next();
  return (req, res, next) => {
    const verdict = limits.check(req, req.ip);
    if (!verdict) return next();
    const { scope, retryAfterSeconds: wait } = verdict;
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
