import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ipAllowlistMiddleware } from '@pjs/auth';

export const OPENAPI_PATH = 'api/docs';

/**
 * The OpenAPI UI at `/api/docs` and the document at `/api/docs/openapi.json`. They are served by
 * Express, not by Nest routes, so they carry no token guard; ADMIN_ALLOWED_IPS restricts them.
 */
export function setupOpenApi(app: NestExpressApplication, adminAllowedIps: readonly string[]): void {
  app.use(`/${OPENAPI_PATH}`, ipAllowlistMiddleware(adminAllowedIps));
  const config = new DocumentBuilder()
    .setTitle('IM — inventory API')
    .setDescription(
      'Supplier orders, the stock ledger and DBU details. Authenticate with `Authorization: Token <token>` ' +
        '(or `Bearer <token>`) from `POST /api/token/`. Money is decimal, serialised as strings with two decimals.',
    )
    .setVersion('1')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'Token <token>' }, 'token')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(OPENAPI_PATH, app, document, {
    jsonDocumentUrl: `${OPENAPI_PATH}/openapi.json`,
    yamlDocumentUrl: `${OPENAPI_PATH}/openapi.yaml`,
  });
}
