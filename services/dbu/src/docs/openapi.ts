import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ipAllowlistMiddleware } from '@pjs/auth';

export const DOCS_PATH = 'api/docs';

/**
 * The OpenAPI description and Swagger UI at `/api/docs` (JSON at `/api/docs/openapi.json`),
 * reachable only from INTERNAL_ALLOWED_IPS ∩ ADMIN_ALLOWED_IPS. The UI needs no token; every call
 * made from it does.
 */
export function setupOpenApi(
  app: NestExpressApplication,
  allowlists: { internal: readonly string[]; admin: readonly string[] },
): void {
  app.use(`/${DOCS_PATH}`, ipAllowlistMiddleware(allowlists.internal), ipAllowlistMiddleware(allowlists.admin));
  const config = new DocumentBuilder()
    .setTitle('DBU catalogue API')
    .setDescription(
      'The catalogue every PJS service reads: products, categories, licenses, GPSR data, discounts and each ' +
        "product's history. Authenticate with `Authorization: Token <token>` (or `Bearer <token>`) from " +
        '`POST /api-token-auth/`. Money is a string with two decimals (EUR). Paths work with and without the ' +
        'trailing slash.',
    )
    .setVersion('1')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'Token <token>' }, 'token')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}/openapi.json`,
    raw: ['json'],
  });
}
