import type { INestApplication } from '@nestjs/common';
import { AuthService } from '@pjs/auth';
import type { DataSource } from '@pjs/database';
import { createWebApp } from '@pjs/http';
import type { Logger } from '@pjs/logger';
import { initMetrics } from '@pjs/metrics';
import { ApiModule } from './api.module';
import type { ImConfig } from './config/im-config';
import { setupOpenApi } from './docs/openapi';
import { bodyRefusalRelay } from './fast-lane/json-body';
import { ApiRateLimits } from './rate-limit/api-rate-limits';
import { rateLimitMiddleware } from './rate-limit/rate-limit.middleware';
import { installStockFastLane } from './stock/stock-fast-lane';
import { StockService } from './stock/stock.service';

export interface ImWebOptions {
  /** Serve add-stock / reduce-stock in front of Express (default: STOCK_FAST_LANE; tests compare both ways). */
  fastLane?: boolean;
}

/** Builds im-web on a connected data source (main.ts and the e2e tests). */
export async function buildImWebApp(
  config: ImConfig,
  dataSource: DataSource,
  logger: Logger,
  options: ImWebOptions = {},
): Promise<INestApplication> {
  initMetrics('im-web');
  const limits = new ApiRateLimits({
    perToken: config.RATE_LIMIT_PER_TOKEN,
    perIp: config.RATE_LIMIT_PER_IP,
    windowMs: config.RATE_LIMIT_WINDOW,
  });
  return createWebApp(ApiModule.forRoot(config, dataSource), {
    logger,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: config.BODY_LIMIT,
    configure: (app) => {
      if (options.fastLane ?? config.STOCK_FAST_LANE) {
        // Right after the body parsers (createWebApp's), before the rate limit: see bodyRefusalRelay.
        app.use(bodyRefusalRelay);
        installStockFastLane(app, {
          stock: app.get(StockService),
          auth: app.get(AuthService),
          limits,
          logger,
          internalAllowedIps: config.INTERNAL_ALLOWED_IPS,
          adminAllowedIps: config.ADMIN_ALLOWED_IPS,
        });
      }
      app.use('/api', rateLimitMiddleware(limits));
      setupOpenApi(app, config.ADMIN_ALLOWED_IPS);
    },
  });
}
