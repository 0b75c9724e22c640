import { buildApiDocument, setupApiDocs, type ApiDocsOptions, type OpenAPIObject, type WebApp } from '@pjs/http';
import { IS_ACCESS_POLICY } from '../access-policy';
import { ApiModule } from '../app.module';
import { loadIsConfig } from '../config/is-config';

const IS_API_DOCS: ApiDocsOptions = {
  title: 'is-web — status of the PJS services',
  description:
    'Health and status of the PJS services: `/status` probes every configured target (DBU, IM, their ' +
    'workers, PostgreSQL, RabbitMQ) and names them without their addresses; `/` is the same as a page.',
  policy: IS_ACCESS_POLICY,
};

/** is-web's OpenAPI UI at `/api/docs` and document at `/api/docs/openapi.json`, like DBU's and IM's. */
export function setupOpenApi(app: WebApp): void {
  setupApiDocs(app, IS_API_DOCS);
}

/** The document is-web serves, built without a listener (scripts/openapi-lint.mjs). */
export async function isOpenApiDocument(): Promise<OpenAPIObject> {
  return buildApiDocument(ApiModule.forRoot(await loadIsConfig({})), IS_API_DOCS);
}
