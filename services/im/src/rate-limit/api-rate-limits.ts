import type { IncomingMessage } from 'node:http';
import { hashToken, tokenFromAuthorizationHeader } from '@pjs/auth';
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

/** A refusal: which budget ran out and the seconds until one more request fits. */
export interface RateLimitVerdict {
  scope: 'ip' | 'token';
  retryAfterSeconds: number;
}

const VERDICT = Symbol('rateLimitVerdict');
type Checked = IncomingMessage & { [VERDICT]?: RateLimitVerdict | null };

/**
 * The API's rate limit counters, one instance per im-web app: first per client address, then per
 * presented token (keyed by its hash; a made-up token only spends its own budget and still counts
 * against its address). Refused requests are not counted.
 *
 * A request is counted at most once, whoever asks first: the stock fast lane checks the limits
 * before it decides, and when it hands the request to Express the middleware reuses that verdict
 * instead of counting the request again.
 */
export class ApiRateLimits {
  private readonly byIp: SlidingWindowLimiter;
  private readonly byToken: SlidingWindowLimiter;

  constructor(options: RateLimitOptions) {
    this.byIp = new SlidingWindowLimiter(options.perIp, options.windowMs, options.now);
    this.byToken = new SlidingWindowLimiter(options.perToken, options.windowMs, options.now);
  }

  get enabled(): boolean {
    return this.byIp.enabled || this.byToken.enabled;
  }

  /** Counts the request once (`ip` as Express computes `req.ip`); null when it may go on. */
  check(req: IncomingMessage, ip: string | undefined): RateLimitVerdict | null {
    const checked = req as Checked;
    const earlier = checked[VERDICT];
    if (earlier !== undefined) return earlier;
    const verdict = this.count(ip ?? 'unknown', req.headers.authorization);
    checked[VERDICT] = verdict;
    return verdict;
  }

  private count(ip: string, authorization: string | undefined): RateLimitVerdict | null {
    if (!this.enabled) return null;
    const ipWait = this.byIp.hit(ip);
    if (ipWait > 0) return { scope: 'ip', retryAfterSeconds: ipWait };
    if (!this.byToken.enabled) return null;
    const token = tokenFromAuthorizationHeader(authorization);
    if (!token) return null;
    const tokenWait = this.byToken.hit(hashToken(token));
    return tokenWait > 0 ? { scope: 'token', retryAfterSeconds: tokenWait } : null;
  }
}
