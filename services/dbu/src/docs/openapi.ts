import { createDataSource } from '@pjs/database';
import {
  buildApiDocument,
  setupApiDocs,
  type AccessPolicy,
  type ApiDocsOptions,
  type OpenAPIObject,
  type WebApp,
} from '@pjs/http';
import { createLogger } from '@pjs/logger';
import { PassThrough } from 'node:stream';
import { DBU_ACCESS_POLICY } from '../access-policy';
import { ApiModule } from '../api.module';
import { loadDbuConfig } from '../config/dbu-config';

const DBU_API_DOCS: Omit<ApiDocsOptions, 'policy'> = {
  title: 'DBU catalogue API',
  description:
    'The catalogue every PJS service reads: products, categories, licenses, GPSR data, discounts and each ' +
    "product's history. Authenticate with `Authorization: Token <token>` (or `Bearer <token>`) from " +
    '`POST /api-token-auth/`. Money is a string with two decimals (EUR). Paths work with and without the ' +
    'trailing slash.',
};

/** DBU's OpenAPI UI at `/api/docs` and document at `/api/docs/openapi.json`. */
export function setupOpenApi(app: WebApp, policy: AccessPolicy): void {
  setupApiDocs(app, { ...DBU_API_DOCS, policy });
}

/**
 * The document dbu-web serves, built without a database, broker or listener (scripts/openapi-lint.mjs):
 * the modules are only scanned, so the connection settings are placeholders never dialled.
 */
export async function dbuOpenApiDocument(): Promise<OpenAPIObject> {
  const config = await loadDbuConfig({
    DATABASE_URL: 'postgres://openapi@127.0.0.1:9/never-connected',
    RABBITMQ_URL: 'amqp://openapi@127.0.0.1:9/never-connected',
  });
  const logger = createLogger({ service: 'dbu-web', process: 'web', level: 'error', stream: new PassThrough() });
  const dataSource = createDataSource({ url: config.DATABASE_URL });
  return buildApiDocument(ApiModule.forRoot(config, dataSource, logger), {
    ...DBU_API_DOCS,
    policy: DBU_ACCESS_POLICY,
  });
}
