import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { onRequestHookHandler, RouteOptions } from 'fastify';
import { ANY_CALLER, routeKey, type AccessPolicy } from './access/access-policy';
import { webRootModule, type WebApp } from './create-web-app';
import { ERROR_REF, ERROR_SCHEMA_NAME, errorSchemaForDocs } from './endpoint.decorator';

/** Where every service serves its OpenAPI UI (`/api/docs`) and document (`/api/docs/openapi.json`). */
export const API_DOCS_PATH = 'api/docs';

/** The Swagger UI page loads its own scripts and styles (and sets inline styles), nothing else. */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const LIST_NAMES = { internal: 'INTERNAL_ALLOWED_IPS', admin: 'ADMIN_ALLOWED_IPS' } as const;

/**
 * Each operation shows who may call it, from the access policy (the table the pipeline enforces):
 * `security` (empty for public routes), `x-required-scope`, a line in the description, and the 401
 * and 403 answers of routes that need a caller.
 */
export function withAccessScopes(document: OpenAPIObject, policy: AccessPolicy): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const template = path.replace(/\{([^}]+)\}/g, ':$1');
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const key = routeKey(method.toUpperCase(), template);
      const rule = policy.routes[key];
      if (!rule) throw new Error(`OpenAPI: ${key} has no entry in the access policy`);
      const lists = rule.allow.length
        ? ` Callers' addresses must be in ${rule.allow.map((l) => LIST_NAMES[l]).join(' and ')}.`
        : '';
      const who =
        rule.scope === null
          ? `Public: no token.${lists}`
          : rule.scope === ANY_CALLER
            ? `Any authenticated caller.${lists}`
            : `Requires the \`${rule.scope}\` scope (${policy.scopes[rule.scope]}).${lists}`;
      operation.description = operation.description ? `${operation.description}\n\n${who}` : who;
      (operation as unknown as Record<string, unknown>)['x-required-scope'] = rule.scope;
      if (rule.scope === null) {
        operation.security = [];
        continue;
      }
      operation.security = [{ token: [] }, { session: [] }];
      operation.responses['401'] ??= { description: 'No or invalid credentials (not_authenticated)' };
      operation.responses['403'] ??= {
        description:
          rule.scope === ANY_CALLER
            ? 'The address is not allowed (address_not_allowed), or a session change failed its CSRF check (csrf_failed)'
            : `The caller lacks the \`${rule.scope}\` scope (insufficient_scope), or the address is not allowed (address_not_allowed)`,
      };
      // Whoever declared the answer, a refusal carries the one error body of every service.
      for (const status of ['401', '403']) {
        const response = operation.responses[status] as { content?: unknown };
        response.content ??= { 'application/json': { schema: { $ref: ERROR_REF } } };
      }
    }
  }
  return document;
}

export interface ApiDocsOptions {
  title: string;
  description: string;
  policy: AccessPolicy;
}

/**
 * The app's OpenAPI document: its controllers' operations, who may call each (withAccessScopes)
 * and, when any route needs a caller, the two ways to be one (token, session).
 */
export function createApiDocument(app: INestApplication, options: ApiDocsOptions): OpenAPIObject {
  const { policy } = options;
  const scopes = Object.entries(policy.scopes)
    .map(([name, what]) => `\`${name}\` (${what})`)
    .join(', ');
  const builder = new DocumentBuilder()
    .setTitle(options.title)
    .setVersion('1')
    // Relative: every copy of the app (local, behind nginx) serves its API beside its document.
    .addServer('/');
  const needsCaller = Object.values(policy.routes).some((rule) => rule.scope !== null);
  if (!needsCaller) {
    builder.setDescription(`${options.description} Every route is public: no token.`);
  } else {
    builder
      .setDescription(
        `${options.description} Scopes: ${scopes}; admin accounts have every scope, other accounts ` +
          `${policy.userScopes.map((s) => `\`${s}\``).join(' and ') || 'none'}.`,
      )
      .addApiKey(
        { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Token <token> (or Bearer <token>)' },
        'token',
      )
      .addCookieAuth(
        'pjs_session',
        {
          type: 'apiKey',
          in: 'cookie',
          name: 'pjs_session',
          description: 'A person’s session (POST /admin/login); changes also need X-CSRF-Token',
        },
        'session',
      );
  }
  const document = withAccessScopes(SwaggerModule.createDocument(app, builder.build()), policy);
  if (JSON.stringify(document.paths).includes(ERROR_REF)) {
    document.components = {
      ...document.components,
      schemas: { ...document.components?.schemas, [ERROR_SCHEMA_NAME]: errorSchemaForDocs() },
    };
  }
  return document;
}

/**
 * The document of a service's web module without running it: Nest's preview mode scans modules and
 * controllers but instantiates no provider, so no database, broker or listener is touched. The
 * document is the one the app serves (apps/admin/test/openapi-documents.test.ts compares them);
 * scripts/openapi-lint.mjs lints it.
 */
export async function buildApiDocument(
  module: Type<unknown> | DynamicModule,
  options: ApiDocsOptions,
): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestFastifyApplication>(webRootModule(module), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return createApiDocument(app, options);
  } finally {
    await app.close();
  }
}

/**
 * The OpenAPI UI at `/api/docs` and the document at `/api/docs/openapi.json` (and `.yaml`). Their
 * routes are in the access policy like every other; the UI's pages get a Content-Security-Policy
 * that lets Swagger UI run. Call from createWebApp's `configure`.
 */
export function setupApiDocs(app: WebApp, options: ApiDocsOptions): OpenAPIObject {
  const fastify = app.getHttpAdapter().getInstance();
  const docsHeaders: onRequestHookHandler = (_request, reply, done) => {
    reply.header('content-security-policy', DOCS_CSP);
    done();
  };
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith(`/${API_DOCS_PATH}`)) return;
    const own =
      route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...own, docsHeaders];
  });
  const document = createApiDocument(app, options);
  SwaggerModule.setup(API_DOCS_PATH, app, document, {
    jsonDocumentUrl: `${API_DOCS_PATH}/openapi.json`,
    yamlDocumentUrl: `${API_DOCS_PATH}/openapi.yaml`,
  });
  return document;
}
