import { serveAdmin } from '@pjs/admin-host';
import type { DataSource } from '@pjs/database';
import { createWebApp, type WebApp } from '@pjs/http';
import type { Logger } from '@pjs/logger';
import { initMetrics } from '@pjs/metrics';
import { ApiRateLimits } from '@pjs/rate-limit';
import { IM_ACCESS_POLICY } from './access-policy';
import { ApiModule } from './api.module';
import type { ImConfig } from './config/im-config';
import { setupOpenApi } from './docs/openapi';
import { countRefusedOrderBodies } from './receive/receive.metrics';
import { RECEIVE_ROUTE } from './receive/receive.controller';

/** Builds im-web on a connected data source (main.ts and the tests), initialised and ready to listen. */
export function buildImWebApp(config: ImConfig, dataSource: DataSource, logger: Logger): Promise<WebApp> {
  initMetrics('im-web');
  return createWebApp(ApiModule.forRoot({ config, dataSource, logger }), {
    logger,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: config.BODY_LIMIT,
    gates: [ApiRateLimits],
    configure: async (app) => {
      countRefusedOrderBodies(app.getHttpAdapter().getInstance(), RECEIVE_ROUTE);
      setupOpenApi(app, IM_ACCESS_POLICY);
      await serveAdmin(app, { service: 'im', distDir: config.ADMIN_DIST_DIR });
    },
  });
}
