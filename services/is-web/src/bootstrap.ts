import { createWebApp, type WebApp } from '@pjs/http';
import { createLogger, type Logger } from '@pjs/logger';
import { initMetrics } from '@pjs/metrics';
import { ApiModule } from './app.module';
import type { IsConfig } from './config/is-config';
import { setupOpenApi } from './docs/openapi';

/** Builds the is-web app (used by main.ts and the e2e tests). */
export async function buildIsWebApp(config: IsConfig, logger?: Logger): Promise<WebApp> {
  initMetrics('is-web');
  const log = logger ?? createLogger({ service: 'is-web', process: 'web', level: config.LOG_LEVEL });
  return createWebApp(ApiModule.forRoot(config), {
    logger: log,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: 16 * 1024,
    configure: (app) => setupOpenApi(app),
  });
}
