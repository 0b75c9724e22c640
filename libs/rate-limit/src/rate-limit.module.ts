import { Module, type DynamicModule } from '@nestjs/common';
import { ApiRateLimits } from './api-rate-limits';
import { RATE_LIMIT_OPTIONS, type RateLimitOptions } from './rate-limit.options';
import { RedisConnection } from './redis-connection';

/** The `/api` rate limits: a request gate for `createWebApp({ gates: [ApiRateLimits] })`. */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitOptions): DynamicModule {
    return {
      module: RateLimitModule,
      providers: [{ provide: RATE_LIMIT_OPTIONS, useValue: options }, RedisConnection, ApiRateLimits],
      exports: [ApiRateLimits],
    };
  }
}
