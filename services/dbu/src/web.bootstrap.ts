import type { INestApplication } from '@nestjs/common';
import type { DataSource } from '@pjs/database';
import { createWebApp } from '@pjs/http';
import type { Logger } from '@pjs/logger';
import { initMetrics } from '@pjs/metrics';
import { ApiModule } from './api.module';
import type { DbuConfig } from './config/dbu-config';

/** Builds dbu-web on a connected data source (main.ts and the e2e tests). */
export async function buildDbuWebApp(
  config: DbuConfig,
  dataSource: DataSource,
  logger: Logger,
): Promise<INestApplication> {
  initMetrics('dbu-web');
  return createWebApp(ApiModule.forRoot(config, dataSource), {
    logger,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: config.BODY_LIMIT,
  });
}
