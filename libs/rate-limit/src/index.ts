export { ApiRateLimits } from './api-rate-limits';
export { RateLimitModule } from './rate-limit.module';
export { RATE_LIMIT_OPTIONS } from './rate-limit.options';
export type { RateLimitOptions } from './rate-limit.options';
export { RedisConnection } from './redis-connection';
