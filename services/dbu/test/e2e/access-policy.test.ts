import { ANY_CALLER, AccessControl } from '@pjs/http';
import { DBU_ACCESS_POLICY } from '../../src';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';
import { registeredRoutes, sampleUrl } from './support/routes';

interface Operation {
  security?: { token?: string[] }[];
  'x-required-scope'?: string;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: readonly Method[] = ['get', 'post', 'put', 'patch', 'delete'];

/** Static-file routes of Swagger UI: registered with HEAD, so left out of the route list. */
const WILDCARD_ROUTES = ['GET /api/docs/*', 'GET /api/docs/docs/*', 'GET /admin/assets/*'];
/** The admin's page and assets (@pjs/admin-host): static files, not API operations. */
const ADMIN_PAGE = (key: string) => key === 'GET /admin' || key.startsWith('GET /admin/assets/');

/**
 * The access policy (src/access-policy.ts) against what dbu-web serves: every operation of the
 * OpenAPI document walked anonymously and with a non-admin token.
 */
describe('dbu-web access policy', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let operations: { method: Method; path: string; key: string; operation: Operation }[];

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_access_policy');
    web = await ctx.start();
    const res = await web.http().get('/api/docs/openapi.json').expect(200);
    const paths = res.body.paths as Record<string, Partial<Record<Method, Operation>>>;
    operations = Object.entries(paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({
        method,
        path: path.replace(/\{([^}]+)\}/g, ':$1'),
        key: `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`,
        operation: item[method]!,
      })),
    );
  });

  afterAll(async () => {
    await ctx.close();
  });

  it('places every registered route, and nothing else, in the policy', () => {
    const registered = registeredRoutes(web.app).map((r) => `${r.method} ${r.path}`);
    for (const key of registered)
      expect({ key, placed: key in DBU_ACCESS_POLICY.routes }).toEqual({ key, placed: true });
    const served = new Set([...registered, ...WILDCARD_ROUTES]);
    expect(Object.keys(DBU_ACCESS_POLICY.routes).filter((key) => !served.has(key))).toEqual([]);
  });

  it('documents every route but the docs themselves and the Prometheus scrape', () => {
    const undocumented = (key: string) => key.startsWith('GET /api/docs') || key === 'GET /metrics' || ADMIN_PAGE(key);
    const registered = registeredRoutes(web.app)
      .map((r) => `${r.method} ${r.path}`)
      .filter((key) => !undocumented(key));
    expect(operations.map((o) => o.key).sort()).toEqual([...new Set(registered)].sort());
  });

  it('refuses to start with a route the policy does not place', () => {
    const access = new AccessControl({ policy: DBU_ACCESS_POLICY, internalAllowedIps: [], adminAllowedIps: [] });
    expect(() => access.resolve({ method: 'GET', url: '/api/unplaced', handler: () => undefined })).toThrow(
      /"GET \/api\/unplaced" has no entry in the access policy/,
    );
  });

  it('documents each operation with the scope it needs (or none)', () => {
    for (const { key, operation } of operations) {
      const rule = DBU_ACCESS_POLICY.routes[key as keyof typeof DBU_ACCESS_POLICY.routes];
      expect({ key, rule: !!rule }).toEqual({ key, rule: true });
      if (rule.scope === null) {
        expect({ key, security: operation.security }).toEqual({ key, security: [] });
      } else {
        expect({ key, security: operation.security, scope: operation['x-required-scope'] }).toEqual({
          key,
          security: [{ token: [] }, { session: [] }],
          scope: rule.scope,
        });
      }
    }
  });

  it('answers 401 to anonymous callers on every operation that needs a scope', async () => {
    for (const { method, path, key } of operations) {
      const rule = DBU_ACCESS_POLICY.routes[key as keyof typeof DBU_ACCESS_POLICY.routes];
      const res = await web.http()[method](sampleUrl(path)).send({});
      if (rule.scope === null) {
        expect({ key, status: res.status === 401 ? 401 : 'not 401' }).toEqual({ key, status: 'not 401' });
      } else {
        expect({ key, status: res.status, code: res.body.code }).toEqual({
          key,
          status: 401,
          code: 'not_authenticated',
        });
      }
    }
  });

  it("answers 403 insufficient_scope to a non-admin exactly where the route's scope is not a user scope", async () => {
    const userScopes = new Set<string>(DBU_ACCESS_POLICY.userScopes);
    const refused: string[] = [];
    for (const { method, path, key } of operations) {
      const rule = DBU_ACCESS_POLICY.routes[key as keyof typeof DBU_ACCESS_POLICY.routes];
      const res = await web.http()[method](sampleUrl(path)).set(tokenHeader(ctx.user.token)).send({});
      const insufficient = res.status === 403 && res.body.code === 'insufficient_scope';
      if (insufficient) {
        refused.push(key);
        expect({ key, scope: res.body.scope }).toEqual({ key, scope: rule.scope });
      }
      expect({ key, refused: insufficient }).toEqual({
        key,
        refused: rule.scope !== null && rule.scope !== ANY_CALLER && !userScopes.has(rule.scope),
      });
      expect({ key, status: res.status === 401 ? 401 : 'not 401' }).toEqual({ key, status: 'not 401' });
    }
    // Sanity: both kinds exist (the admin and imports routes, the catalogue reads and e-mail data).
    expect(refused).toEqual(expect.arrayContaining(['POST /api/products', 'GET /api/imports', 'POST /api/gpsr']));
    expect(refused).not.toContain('GET /api/products');
  });
});
