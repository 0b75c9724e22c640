import { TokenService } from '@pjs/auth';
import { ANY_CALLER } from '@pjs/http';
import { DBU_ACCESS_POLICY } from '../../src';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';
import { sampleUrl } from './support/routes';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: readonly Method[] = ['get', 'post', 'put', 'patch', 'delete'];
type RouteKey = keyof typeof DBU_ACCESS_POLICY.routes;

/**
 * Each scope allows exactly its routes: a token holding one scope (on an admin account, which has
 * them all) walks every operation of the OpenAPI document and is refused with 403
 * insufficient_scope exactly where the route needs another scope.
 */
describe('dbu-web scopes, one token per scope over every operation', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let operations: { method: Method; path: string; key: RouteKey }[];

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_scope_matrix');
    web = await ctx.start();
    const res = await web.http().get('/api/docs/openapi.json').expect(200);
    const paths = res.body.paths as Record<string, Partial<Record<Method, unknown>>>;
    operations = Object.entries(paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => {
        const template = path.replace(/\{([^}]+)\}/g, ':$1');
        return { method, path: template, key: `${method.toUpperCase()} ${template}` as RouteKey };
      }),
    );
  });
  afterAll(() => ctx.close());

  it.each(Object.keys(DBU_ACCESS_POLICY.scopes))(
    'a token with only %s reaches exactly the routes of that scope',
    async (scope) => {
      const { token } = await web.app
        .get(TokenService, { strict: false })
        .create({ userId: ctx.admin.id, name: `only ${scope}`, scopes: [scope] });
      const reached: string[] = [];
      for (const { method, path, key } of operations) {
        const rule = DBU_ACCESS_POLICY.routes[key];
        expect({ key, placed: rule !== undefined }).toEqual({ key, placed: true });
        const res = await web.http()[method](sampleUrl(path)).set(tokenHeader(token)).send({});
        const refused = res.status === 403 && res.body.code === 'insufficient_scope';
        const needsOther = rule.scope !== null && rule.scope !== ANY_CALLER && rule.scope !== scope;
        expect({ key, refused, scope: refused ? res.body.scope : undefined }).toEqual({
          key,
          refused: needsOther,
          scope: needsOther ? rule.scope : undefined,
        });
        expect({ key, status: res.status === 401 ? 401 : 'not 401' }).toEqual({ key, status: 'not 401' });
        if (rule.scope === scope) reached.push(key);
      }
      expect(reached.length).toBeGreaterThan(0);
    },
  );
});
