import { ADMIN_UI_ROUTES } from '@pjs/admin-host';
import { ACCOUNT_ROUTES } from '@pjs/auth';
import { defineAccessPolicy, probeRoute, publicRoute, scoped } from '@pjs/http';

/**
 * Who may call which route of im-web: deny by default (a route missing here stops the start-up).
 * Admin accounts have every scope; other accounts have `userScopes`, which are exactly the routes
 * a non-admin account could call before scopes existed. `internal` = INTERNAL_ALLOWED_IPS (every
 * `/api` route), `admin` = ADMIN_ALLOWED_IPS (admin routes, the API docs and the /analysis/ redirect).
 */
export const IM_ACCESS_POLICY = defineAccessPolicy({
  service: 'im',
  scopes: {
    'orders:write': 'Receive supplier orders',
    sync: 'Queue a sync of item details from DBU',
    'inventory:read': 'Read the inventory, orders, item ledgers, the sync status and the payments analysis; search DBU',
    'stock:write': 'Change stock: add, reduce, delete and restore items; take items over from DBU',
    admin: 'Administer accounts and tokens; read the audit trail',
  },
  userScopes: ['orders:write', 'sync'],
  routes: {
    'GET /health': probeRoute(),
    'GET /health/live': probeRoute(),
    'GET /health/ready': probeRoute(),
    'GET /metrics': probeRoute(),

    'POST /api/token': publicRoute('internal'),
    'POST /api/receive': scoped('orders:write', 'internal'),
    'POST /api/signal': scoped('sync', 'internal'),

    'GET /api/inventory': scoped('inventory:read', 'internal', 'admin'),
    'GET /api/orders': scoped('inventory:read', 'internal', 'admin'),
    'GET /api/orders/:order_number': scoped('inventory:read', 'internal', 'admin'),
    'GET /api/sync/status': scoped('inventory:read', 'internal', 'admin'),
    'GET /api/items/:item_no/movements': scoped('inventory:read', 'internal', 'admin'),
    'GET /api/analysis/upcoming-payments': scoped('inventory:read', 'internal', 'admin'),
    'POST /api/query-dbu-item': scoped('inventory:read', 'internal', 'admin'),

    'POST /api/add-stock': scoped('stock:write', 'internal', 'admin'),
    'POST /api/reduce-stock': scoped('stock:write', 'internal', 'admin'),
    'DELETE /api/delete-item': scoped('stock:write', 'internal', 'admin'),
    'POST /api/restore-item': scoped('stock:write', 'internal', 'admin'),
    'POST /api/confirm-item': scoped('stock:write', 'internal', 'admin'),

    // The old analysis page's address: a redirect to the admin's page (admin addresses only).
    'GET /analysis': publicRoute('admin'),

    // The OpenAPI UI, its assets and the document (registered by @nestjs/swagger).
    'GET /api/docs': publicRoute('admin'),
    'GET /api/docs/*': publicRoute('admin'),
    'GET /api/docs/index.html': publicRoute('admin'),
    'GET /api/docs/LICENSE': publicRoute('admin'),
    'GET /api/docs/swagger-ui-init.js': publicRoute('admin'),
    'GET /api/docs/docs/*': publicRoute('admin'),
    'GET /api/docs/docs/swagger-ui-init.js': publicRoute('admin'),
    'GET /api/docs/openapi.json': publicRoute('admin'),
    'GET /api/docs/openapi.yaml': publicRoute('admin'),

    // People's logins and the account administration (the auth library's routes).
    ...ACCOUNT_ROUTES,

    // The staff admin at /admin/ (its page and assets; its data comes through the routes above).
    ...ADMIN_UI_ROUTES,
  },
});
