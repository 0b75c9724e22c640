import { defineAccessPolicy, probeRoute, publicRoute } from '@pjs/http';

/** is-web keeps no accounts: every route is public and read-only. */
export const IS_ACCESS_POLICY = defineAccessPolicy({
  service: 'is-web',
  scopes: {},
  userScopes: [],
  routes: {
    'GET /health': probeRoute(),
    'GET /health/live': probeRoute(),
    'GET /health/ready': probeRoute(),
    'GET /metrics': probeRoute(),
    'GET /status': publicRoute(),
    'GET /': publicRoute(),
    'GET /status.html': publicRoute(),

    // The OpenAPI UI, its assets and the document (registered by @nestjs/swagger), public like the rest.
    'GET /api/docs': publicRoute(),
    'GET /api/docs/*': publicRoute(),
    'GET /api/docs/index.html': publicRoute(),
    'GET /api/docs/LICENSE': publicRoute(),
    'GET /api/docs/swagger-ui-init.js': publicRoute(),
    'GET /api/docs/docs/*': publicRoute(),
    'GET /api/docs/docs/swagger-ui-init.js': publicRoute(),
    'GET /api/docs/openapi.json': publicRoute(),
    'GET /api/docs/openapi.yaml': publicRoute(),
  },
});
