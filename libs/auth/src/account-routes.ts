import { authenticated, publicRoute, scoped, type RouteRule } from '@pjs/http';

/**
 * The routes AuthModule adds to a service, for its access policy: people's login, and the account
 * administration behind the `admin` scope (the service's policy must define that scope).
 */
export const ACCOUNT_ROUTES: Readonly<Record<string, RouteRule>> = {
  'POST /admin/login': publicRoute('admin'),
  'POST /admin/logout': authenticated('admin'),
  'GET /admin/session': authenticated('admin'),
  'GET /api/admin/users': scoped('admin', 'internal', 'admin'),
  'POST /api/admin/users': scoped('admin', 'internal', 'admin'),
  'GET /api/admin/users/:id': scoped('admin', 'internal', 'admin'),
  'PATCH /api/admin/users/:id': scoped('admin', 'internal', 'admin'),
  'GET /api/admin/tokens': scoped('admin', 'internal', 'admin'),
  'POST /api/admin/tokens': scoped('admin', 'internal', 'admin'),
  'DELETE /api/admin/tokens/:id': scoped('admin', 'internal', 'admin'),
  'GET /api/admin/audit': scoped('admin', 'internal', 'admin'),
};
