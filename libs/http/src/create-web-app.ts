import { Module, type DynamicModule, type InjectionToken, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  NestWinstonLogger,
  newCorrelationId,
  REQUEST_ID_HEADER,
  sanitizeCorrelationId,
  type Logger,
} from '@pjs/logger';
import type { IncomingMessage } from 'node:http';
import { AccessControl } from './access/access-control';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { registerBodyParsers } from './body-parsers';
import { DrainModule } from './drain';
import { installRequestPipeline } from './pipeline/request-pipeline';
import type { RequestGate } from './pipeline/request-gate';
import { createSchemaCompiler } from './schema/schema-compiler';
import { PUBLIC_BASE_URL } from './schema/page.schema';

export type WebApp = NestFastifyApplication;

export interface WebAppOptions {
  logger: Logger;
  /** `TRUST_PROXY`: how many proxy hops to trust for the client address (0 = none). */
  trustProxy?: number;
  /** Largest JSON / form body accepted, in bytes; larger answers 413. */
  bodyLimit?: number;
  /** Checks after the access check, resolved from the app's providers (e.g. rate limits). */
  gates?: readonly InjectionToken<RequestGate>[];
  /**
   * `PUBLIC_BASE_URL`: where callers reach the service; absolute links (pagination) are built on it,
   * never on the request's Host header. See `publicBaseUrl`.
   */
  publicBaseUrl?: string;
  /** Extra setup before routes are registered (Swagger, multipart, static files). */
  configure?: (app: WebApp) => void | Promise<void>;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** The root of every web app: the service's module plus what the pipeline itself provides. */
@Module({})
class WebRootModule {}

/** The module tree of every web app: the service's module under the root (also scanned for its OpenAPI document). */
export function webRootModule(module: Type<unknown> | DynamicModule): DynamicModule {
  return { module: WebRootModule, imports: [DrainModule, module] };
}

/** The caller's `X-Request-Id` when well-formed, else a new UUID: the id of the request everywhere. */
function requestId(req: IncomingMessage): string {
  return sanitizeCorrelationId(req.headers[REQUEST_ID_HEADER]) ?? newCorrelationId();
}

/**
 * A Nest app on Fastify with our request pipeline (see installRequestPipeline): routes match
 * case-sensitively, a trailing slash is optional everywhere, bodies and queries are validated by
 * each route's compiled schema, every answer carries helmet's security headers. Returns the app initialised
 * (routes registered), ready to listen — through `serveUntilStopped`, which drains on SIGTERM.
 */
export async function createWebApp(module: Type<unknown> | DynamicModule, options: WebAppOptions): Promise<WebApp> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const adapter = new FastifyAdapter({
    logger: false,
    trustProxy: options.trustProxy ?? 0,
    bodyLimit,
    genReqId: requestId,
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: true, maxParamLength: 500 },
    return503OnClosing: true,
    skipMiddie: true,
  } as ConstructorParameters<typeof FastifyAdapter>[0]);
  const app = await NestFactory.create<NestFastifyApplication>(webRootModule(module), adapter, {
    logger: new NestWinstonLogger(options.logger),
    bodyParser: false,
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.setValidatorCompiler(createSchemaCompiler());
  registerBodyParsers(fastify, bodyLimit);
  fastify.decorate(PUBLIC_BASE_URL, options.publicBaseUrl?.replace(/\/+$/, '') ?? null);
  installRequestPipeline(fastify, {
    logger: options.logger,
    access: app.get(AccessControl),
    gates: (options.gates ?? []).map((token) => app.get(token)),
  });
  app.useGlobalFilters(new AllExceptionsFilter(options.logger));
  await options.configure?.(app);
  await app.init();
  await fastify.ready();
  return app;
}
