export const RATE_LIMIT_OPTIONS = Symbol('RATE_LIMIT_OPTIONS');

export interface RateLimitOptions {
  /** Starts the service's keys in the shared store (`pjs:im`), so services never share counters. */
  keyPrefix: string;
  /** Requests per window per API token (`RATE_LIMIT_PER_TOKEN`); 0 disables. */
  perToken: number;
  /** Requests per window per client address (`RATE_LIMIT_PER_IP`); 0 disables. */
  perIp: number;
  /** `RATE_LIMIT_WINDOW` in ms (whole seconds; at least one). */
  windowMs: number;
  /**
   * `REDIS_URL`: the counters live in Redis, so a limit holds for the sum of all replicas. Without
   * it each process counts alone (one replica only: development, single-VPS without Redis).
   */
  redisUrl?: string;
}
