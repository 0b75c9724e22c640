import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { LOGGER, type Logger } from '@pjs/logger';
import { RATE_LIMIT_OPTIONS, type RateLimitOptions } from './rate-limit.options';

/**
 * The Redis client of the rate limits, when REDIS_URL is set. Commands fail at once while Redis is
 * unreachable (no offline queue), so a request never waits for it: the limiter falls back to
 * counting in the process until Redis answers again.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis | undefined;

  constructor(@Inject(RATE_LIMIT_OPTIONS) options: RateLimitOptions, @Inject(LOGGER) logger: Logger) {
    if (!options.redisUrl) return;
    this.client = new Redis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 200, 5000),
    });
    let down = false;
    this.client.on('error', (err: Error) => {
      if (down) return;
      down = true;
      logger.warn('redis unreachable; rate limits count per process until it answers', { error: err.message });
    });
    this.client.on('ready', () => {
      if (down) logger.info('redis reachable again; rate limits shared');
      down = false;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    await this.client.quit().catch(() => this.client?.disconnect());
  }
}
