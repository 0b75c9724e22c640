import { setupApiDocs, type AccessPolicy, type ApiDocsOptions, type WebApp } from '@pjs/http';

export const IM_API_DOCS: Omit<ApiDocsOptions, 'policy'> = {
  title: 'IM — inventory API',
  description:
    'Supplier orders, the stock ledger and DBU details. Authenticate with `Authorization: Token <token>` ' +
    '(or `Bearer <token>`) from `POST /api/token/`. Money is decimal, serialised as strings with two decimals.',
};

/** IM's OpenAPI UI at `/api/docs` and document at `/api/docs/openapi.json`. */
export function setupOpenApi(app: WebApp, policy: AccessPolicy): void {
  setupApiDocs(app, { ...IM_API_DOCS, policy });
}
