import type { INestApplication } from '@nestjs/common';
import { AuthService } from '@pjs/auth';
import type { DataSource } from '@pjs/database';
import { createWebApp } from '@pjs/http';
import type { Logger } from '@pjs/logger';
import { initMetrics } from '@pjs/metrics';
import { ApiModule } from './api.module';
import type { DbuConfig } from './config/dbu-config';
import { setupOpenApi } from './docs/openapi';
import { installProductFastLane } from './products/product-fast-lane';
import { ProductService } from './products/product.service';

export interface DbuWebOptions {
  /** Serve the hot product reads in front of Express (default on; tests compare both ways). */
  fastLane?: boolean;
}

/** Builds dbu-web on a connected data source (main.ts and the e2e tests). */
export async function buildDbuWebApp(
  config: DbuConfig,
  dataSource: DataSource,
  logger: Logger,
  options: DbuWebOptions = {},
): Promise<INestApplication> {
  initMetrics('dbu-web');
  return createWebApp(ApiModule.forRoot(config, dataSource, logger), {
    logger,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: config.BODY_LIMIT,
    configure: (app) => {
      // No ETags: API clients do not revalidate, and hashing every body costs CPU on hot reads.
      app.set('etag', false);
      if (options.fastLane ?? true) {
        installProductFastLane(app.getHttpServer(), {
          auth: app.get(AuthService),
          products: app.get(ProductService),
          logger,
          internalAllowedIps: config.INTERNAL_ALLOWED_IPS,
          trustProxy: config.TRUST_PROXY,
        });
      }
      setupOpenApi(app, { internal: config.INTERNAL_ALLOWED_IPS, admin: config.ADMIN_ALLOWED_IPS });
    },
  });
}
