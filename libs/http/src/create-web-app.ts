import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestWinstonLogger, accessLogMiddleware, requestIdMiddleware, type Logger } from '@pjs/logger';
import { httpMetricsMiddleware } from '@pjs/metrics';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { createValidationPipe } from './validation';

export interface WebAppOptions {
  logger: Logger;
  /** `TRUST_PROXY`: how many proxy hops to trust for the client address (0 = none). */
  trustProxy?: number;
  /** Largest JSON / form body accepted; larger answers 413. */
  bodyLimit?: string;
  /** Extra setup before routes are live (Swagger, static files, allowlist middleware). */
  configure?: (app: NestExpressApplication) => void | Promise<void>;
}

const isScrape = (path: string) => path === '/metrics' || path === '/metrics/';

/**
 * Builds a web app with our cross-cutting pieces, in order: request id → access log → RED
 * metrics → size-limited body parsers → global validation and error filter.
 */
export async function createWebApp(
  module: Type<unknown> | DynamicModule,
  options: WebAppOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: new NestWinstonLogger(options.logger),
    bodyParser: false,
    bufferLogs: false,
  });
  app.set('trust proxy', options.trustProxy ?? 0);
  app.disable('x-powered-by');
  app.use(requestIdMiddleware);
  app.use(accessLogMiddleware(options.logger, isScrape));
  app.use(httpMetricsMiddleware(isScrape));
  const limit = options.bodyLimit ?? '1mb';
  app.useBodyParser('json', { limit });
  app.useBodyParser('urlencoded', { limit, extended: false });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter(options.logger));
  app.enableShutdownHooks();
  await options.configure?.(app);
  return app;
}
