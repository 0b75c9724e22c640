import type { INestApplication } from '@nestjs/common';
import type { DataSource } from '@pjs/database';
import { createWebApp } from '@pjs/http';
import type { Logger } from '@pjs/logger';
import { initMetrics } from '@pjs/metrics';
import { ApiModule } from './api.module';
import type { ImConfig } from './config/im-config';

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
  });
}
