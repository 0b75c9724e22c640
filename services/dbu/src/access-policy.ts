import { ADMIN_UI_ROUTES } from '@pjs/admin-host';
import { ACCOUNT_ROUTES } from '@pjs/auth';
import { defineAccessPolicy, probeRoute, publicRoute, scoped } from '@pjs/http';

/**
 * Who may call which dbu-web route: the one table the request pipeline's access check reads.
 * Every route is placed here (a route missing from it stops dbu-web at start-up). Every `/api`
 * path is for INTERNAL_ALLOWED_IPS; writes to the catalogue and imports also for
 * ADMIN_ALLOWED_IPS only. Admin accounts hold every scope; other accounts hold `userScopes`.
 */
export const DBU_ACCESS_POLICY = defineAccessPolicy({
  service: 'dbu-web',
  scopes: {
    'catalogue:read': 'Read products, their history, categories and licenses',
    'catalogue:write': 'Set discounts from order e-mails',
    admin: 'Create, change and delete products; administer accounts and tokens; read the audit trail',
    imports: 'Upload catalogue and GPSR files, follow the import runs, edit import profiles',
  },
  userScopes: ['catalogue:read', 'catalogue:write'],
  routes: {
    'GET /api/products': scoped('catalogue:read', 'internal'),
    'GET /api/products/:item_no': scoped('catalogue:read', 'internal'),
    'GET /api/products/changes': scoped('catalogue:read', 'internal'),
    'GET /api/products/:item_no/history': scoped('catalogue:read', 'internal'),
    'GET /api/categories': scoped('catalogue:read', 'internal'),
    'GET /api/licenses': scoped('catalogue:read', 'internal'),

    'POST /api/email-data': scoped('catalogue:write', 'internal'),

    'POST /api/products': scoped('admin', 'internal', 'admin'),
    'PUT /api/products/:item_no': scoped('admin', 'internal', 'admin'),
    'PATCH /api/products/:item_no': scoped('admin', 'internal', 'admin'),
    'DELETE /api/products/:item_no': scoped('admin', 'internal', 'admin'),

    'POST /api/imports': scoped('imports', 'internal', 'admin'),
    'GET /api/imports': scoped('imports', 'internal', 'admin'),
    'GET /api/imports/:id': scoped('imports', 'internal', 'admin'),
    'GET /api/imports/:id/errors.csv': scoped('imports', 'internal', 'admin'),
    'POST /api/imports/:id/apply': scoped('imports', 'internal', 'admin'),
    'POST /api/gpsr': scoped('imports', 'internal', 'admin'),
    'GET /api/import-profiles': scoped('imports', 'internal', 'admin'),
    'POST /api/import-profiles': scoped('imports', 'internal', 'admin'),
    'POST /api/import-profiles/suggest': scoped('imports', 'internal', 'admin'),
    'GET /api/import-profiles/:id': scoped('imports', 'internal', 'admin'),
    'PUT /api/import-profiles/:id': scoped('imports', 'internal', 'admin'),
    'PATCH /api/import-profiles/:id': scoped('imports', 'internal', 'admin'),
    'DELETE /api/import-profiles/:id': scoped('imports', 'internal', 'admin'),

    // Stored product photos, by content-addressed name: no token, so <img> tags and nginx's shared
    // cache can fetch them; like the API, only from INTERNAL_ALLOWED_IPS (docs/security.md).
    'GET /media/photos/:name': publicRoute('internal'),

    // The token endpoint checks username and password itself.
    'POST /api-token-auth': publicRoute('internal'),

    // The OpenAPI document and Swagger UI: no token (every call made from the UI needs one).
    'GET /api/docs': publicRoute('internal', 'admin'),
    'GET /api/docs/*': publicRoute('internal', 'admin'),
    'GET /api/docs/index.html': publicRoute('internal', 'admin'),
    'GET /api/docs/LICENSE': publicRoute('internal', 'admin'),
    'GET /api/docs/swagger-ui-init.js': publicRoute('internal', 'admin'),
    'GET /api/docs/docs/swagger-ui-init.js': publicRoute('internal', 'admin'),
    'GET /api/docs/docs/*': publicRoute('internal', 'admin'),
    'GET /api/docs/openapi.json': publicRoute('internal', 'admin'),
    'GET /api/docs/openapi.yaml': publicRoute('internal', 'admin'),

    // People's logins and the account administration (the auth library's routes).
    ...ACCOUNT_ROUTES,

    // The staff admin at /admin/ (its page and assets; its data comes through the routes above).
    ...ADMIN_UI_ROUTES,

    'GET /health': probeRoute(),
    'GET /health/live': probeRoute(),
    'GET /health/ready': probeRoute(),
    'GET /metrics': probeRoute(),
  },
});
