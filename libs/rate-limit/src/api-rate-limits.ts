import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Refusal, RequestGate } from '@pjs/http';
import { counter } from '@pjs/metrics';
import { RATE_LIMIT_OPTIONS, type RateLimitOptions } from './rate-limit.options';
import { RedisConnection } from './redis-connection';

type Scope = 'ip' | 'token';

const rateLimited = counter<'scope'>(
  'api_rate_limited_total',
  'Requests refused with 429 by the API rate limits, by scope (ip, token).',
  ['scope'],
);

/** `/api/...` routes (and unmatched `/api/...` paths); not the probes, metrics or pages. */
function isApi(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return (route ?? request.url).startsWith('/api/');
}

/**
 * The API's rate limits, run by the request pipeline once per request after the access check:
 * first per client address (`request.ip`, proxy-aware through TRUST_PROXY), then per API token of
 * the authenticated caller. Counters are fixed windows kept in Redis (one atomic increment-and-
 * expire per check), so N per window holds across every replica; while Redis is unreachable each
 * process counts alone rather than refusing or waiting. The answer is 429 with Retry-After.
 */
@Injectable()
export class ApiRateLimits implements RequestGate {
  private readonly byIp: RateLimiterAbstract | undefined;
  private readonly byToken: RateLimiterAbstract | undefined;

  constructor(@Inject(RATE_LIMIT_OPTIONS) options: RateLimitOptions, redis: RedisConnection) {
    const durationS = Math.max(1, Math.round(options.windowMs / 1000));
    const limiter = (scope: Scope, points: number): RateLimiterAbstract | undefined => {
      if (points <= 0) return undefined;
      const keyPrefix = `${options.keyPrefix}:rl:${scope}`;
      const local = new RateLimiterMemory({ keyPrefix, points, duration: durationS });
      if (!redis.client) return local;
      return new RateLimiterRedis({
        storeClient: redis.client,
        keyPrefix,
        points,
        duration: durationS,
        rejectIfRedisNotReady: true,
        insuranceLimiter: local,
      });
    };
    this.byIp = limiter('ip', options.perIp);
    this.byToken = limiter('token', options.perToken);
  }

  async check(request: FastifyRequest): Promise<Refusal | undefined> {
    if ((!this.byIp && !this.byToken) || !isApi(request)) return undefined;
    if (this.byIp) {
      const wait = await consume(this.byIp, request.ip);
      if (wait > 0) return refuse('ip', wait);
    }
    const principal = request.principal;
    if (!principal || !this.byToken) return undefined;
    const key = principal.tokenId === undefined ? `user:${principal.userId}` : String(principal.tokenId);
    const wait = await consume(this.byToken, key);
    return wait > 0 ? refuse('token', wait) : undefined;
  }
}

/** Counts one request; answers 0 when allowed, else the seconds until the window frees a slot. */
async function consume(limiter: RateLimiterAbstract, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw rejection;
  }
}

function refuse(scope: Scope, wait: number): Refusal {
  rateLimited.inc({ scope });
  return {
    body: {
      statusCode: 429,
      code: 'rate_limited',
      message: `Too many requests (per ${scope === 'ip' ? 'address' : 'token'}); try again in ${wait} s.`,
    },
    retryAfterSeconds: wait,
  };
}
