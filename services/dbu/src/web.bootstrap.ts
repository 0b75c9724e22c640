import multipart from '@fastify/multipart';
import { serveAdmin } from '@pjs/admin-host';
import type { DataSource } from '@pjs/database';
import { createWebApp, type WebApp } from '@pjs/http';
import type { Logger } from '@pjs/logger';
import { initMetrics } from '@pjs/metrics';
import { ApiRateLimits } from '@pjs/rate-limit';
import { DBU_ACCESS_POLICY } from './access-policy';
import { ApiModule } from './api.module';
import type { DbuConfig } from './config/dbu-config';
import { setupOpenApi } from './docs/openapi';
import { multipartLimits } from './imports/upload/upload-receiver';

/** Builds dbu-web on a connected data source (main.ts, the e2e tests and IM's sync tests). */
export async function buildDbuWebApp(config: DbuConfig, dataSource: DataSource, logger: Logger): Promise<WebApp> {
  initMetrics('dbu-web');
  return createWebApp(ApiModule.forRoot(config, dataSource, logger), {
    logger,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: config.BODY_LIMIT,
    gates: [ApiRateLimits],
    publicBaseUrl: config.PUBLIC_BASE_URL,
    configure: async (app) => {
      await app.register(multipart, { limits: multipartLimits(config.UPLOAD_LIMIT_BYTES) });
      setupOpenApi(app, DBU_ACCESS_POLICY);
      await serveAdmin(app, { service: 'dbu', distDir: config.ADMIN_DIST_DIR });
    },
  });
}
