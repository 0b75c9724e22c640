import type { INestApplication } from '@nestjs/common';
import type { DataSource } from '@pjs/database';
import { createWebApp } from '@pjs/http';
import type { Logger } from '@pjs/logger';
import { initMetrics } from '@pjs/metrics';
import { ApiModule } from './api.module';
import type { ImConfig } from './config/im-config';
import { setupOpenApi } from './docs/openapi';
import { rateLimitMiddleware } from './rate-limit/rate-limit.middleware';

/** Builds im-web on a connected data source (main.ts and the e2e tests). */
export async function buildImWebApp(
  config: ImConfig,
  dataSource: DataSource,
  logger: Logger,
): Promise<INestApplication> {
  initMetrics('im-web');
  return createWebApp(ApiModule.forRoot(config, dataSource), {
    logger,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: config.BODY_LIMIT,
    configure: (app) => {
      app.use(
        '/api',
        rateLimitMiddleware({
          perToken: config.RATE_LIMIT_PER_TOKEN,
          perIp: config.RATE_LIMIT_PER_IP,
          windowMs: config.RATE_LIMIT_WINDOW,
        }),
      );
      setupOpenApi(app, config.ADMIN_ALLOWED_IPS);
    },
  });
}
