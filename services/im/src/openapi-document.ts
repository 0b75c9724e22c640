import { PassThrough } from 'node:stream';
import { createDataSource } from '@pjs/database';
import { buildApiDocument, type OpenAPIObject } from '@pjs/http';
import { createLogger } from '@pjs/logger';
import { IM_ACCESS_POLICY } from './access-policy';
import { ApiModule } from './api.module';
import { loadImConfig } from './config/im-config';
import { IM_API_DOCS } from './docs/openapi';

/**
 * The document im-web serves, built without a database, broker or listener (scripts/openapi-lint.mjs):
 * the modules are only scanned, so the connection settings are placeholders never dialled.
 */
export async function imOpenApiDocument(): Promise<OpenAPIObject> {
  const config = await loadImConfig({
    DATABASE_URL: 'postgres://openapi@127.0.0.1:9/never-connected',
    RABBITMQ_URL: 'amqp://openapi@127.0.0.1:9/never-connected',
  });
  const logger = createLogger({ service: 'im-web', process: 'web', level: 'error', stream: new PassThrough() });
  const dataSource = createDataSource({ url: config.DATABASE_URL });
  return buildApiDocument(ApiModule.forRoot({ config, dataSource, logger }), {
    ...IM_API_DOCS,
    policy: IM_ACCESS_POLICY,
  });
}
