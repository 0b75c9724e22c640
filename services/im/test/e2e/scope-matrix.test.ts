import { TokenService } from '@pjs/auth';
import { ANY_CALLER } from '@pjs/http';
import { IM_ACCESS_POLICY } from '../../src/access-policy';
import { startImWeb, type ImWebHarness } from '../factories/im-web.factory';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: readonly Method[] = ['get', 'post', 'put', 'patch', 'delete'];
type RouteKey = keyof typeof IM_ACCESS_POLICY.routes;

/**
 * Each scope allows exactly its routes: a token holding one scope (on an admin account, which has
 * them all) walks every operation of the OpenAPI document and is refused with 403
 * insufficient_scope exactly where the route needs another scope.
 */
describe('im-web scopes, one token per scope over every operation', () => {
  let h: ImWebHarness;
  let operations: { method: Method; path: string; key: RouteKey }[];

  beforeAll(async () => {
    h = await startImWeb('im_scope_matrix');
    const document = (await h.http().get('/api/docs/openapi.json').expect(200)).body as {
      paths: Record<string, Partial<Record<Method, unknown>>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({
        method,
        path: path.replace(/\{[^}]+\}/g, 'X-1'),
        key: `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}` as RouteKey,
      })),
    );
  });
  afterAll(() => h.close());

  it.each(Object.keys(IM_ACCESS_POLICY.scopes))(
    'a token with only %s reaches exactly the routes of that scope',
    async (scope) => {
      const { token } = await h.app
        .get(TokenService, { strict: false })
        .create({ userId: h.admin.id, name: `only ${scope}`, scopes: [scope] });
      const reached: string[] = [];
      for (const { method, path, key } of operations) {
        const rule = IM_ACCESS_POLICY.routes[key];
        expect({ key, placed: rule !== undefined }).toEqual({ key, placed: true });
        const req = h.http()[method](path).set('Authorization', `Token ${token}`);
        const res = await (method === 'get' ? req : req.send({}));
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
