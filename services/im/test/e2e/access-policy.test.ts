import { ANY_CALLER } from '@pjs/http';
import { IM_ACCESS_POLICY } from '../../src/access-policy';
import { startImWeb, type ImWebHarness } from '../factories/im-web.factory';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: readonly Method[] = ['get', 'post', 'put', 'patch', 'delete'];

interface Operation {
  key: string;
  method: Method;
  /** The path with `X-1` for each parameter. */
  path: string;
  security: unknown;
  requiredScope: unknown;
  description: string;
}

/** The access check let the request through (what the route then answers is its own business). */
function expectAdmitted(op: Operation, status: number): void {
  expect({ key: op.key, refused: status === 401 || status === 403 }).toEqual({ key: op.key, refused: false });
}

/** Every operation of IM's OpenAPI document, walked as a table (deny by default, scope by scope). */
describe('im-web access, operation by operation', () => {
  let h: ImWebHarness;
  let operations: Operation[];

  beforeAll(async () => {
    h = await startImWeb('im_access');
    const document = (await h.http().get('/api/docs/openapi.json').expect(200)).body as {
      paths: Record<string, Partial<Record<Method, Record<string, unknown>>>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => {
        const op = item[method]!;
        return {
          key: `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`,
          method,
          path: path.replace(/\{[^}]+\}/g, 'X-1'),
          security: op.security,
          requiredScope: op['x-required-scope'],
          description: typeof op.description === 'string' ? op.description : '',
        };
      }),
    );
  });
  afterAll(() => h.close());

  const call = (op: Operation, token?: string) => {
    const req = h.http()[op.method](op.path);
    if (token) void req.set('Authorization', `Token ${token}`);
    return op.method === 'get' ? req : req.send({});
  };

  it('documents every /api and /admin route of the access policy (docs UI excepted) and the health probes', () => {
    const documented = operations.map((op) => op.key).sort();
    const api = Object.keys(IM_ACCESS_POLICY.routes)
      .filter((key) => /^\/(api|admin)\//.test(key.split(' ')[1]) && !key.includes('/api/docs'))
      // The admin's assets (@pjs/admin-host) are static files, not API operations.
      .filter((key) => !key.startsWith('GET /admin/assets/'))
      .concat('GET /health', 'GET /health/live', 'GET /health/ready')
      .sort();
    expect(documented).toEqual(api);
  });

  it('shows each operation’s scope from the policy: security, x-required-scope and the description', () => {
    for (const op of operations) {
      const rule = IM_ACCESS_POLICY.routes[op.key as keyof typeof IM_ACCESS_POLICY.routes];
      expect({ key: op.key, scope: op.requiredScope }).toEqual({ key: op.key, scope: rule.scope });
      if (rule.scope === null) {
        expect({ key: op.key, security: op.security }).toEqual({ key: op.key, security: [] });
        expect(op.description).toContain('Public');
      } else {
        expect({ key: op.key, security: op.security }).toEqual({
          key: op.key,
          security: [{ token: [] }, { session: [] }],
        });
        expect(op.description).toContain(
          rule.scope === ANY_CALLER ? 'Any authenticated caller' : `Requires the \`${rule.scope}\` scope`,
        );
      }
    }
  });

  it('answers 401 to anonymous callers on every operation that is not public', async () => {
    for (const op of operations) {
      const rule = IM_ACCESS_POLICY.routes[op.key as keyof typeof IM_ACCESS_POLICY.routes];
      const res = await call(op);
      if (rule.scope === null) {
        expect({ key: op.key, status: res.status }).not.toEqual({ key: op.key, status: 401 });
      } else {
        expect({ key: op.key, status: res.status, code: res.body.code }).toEqual({
          key: op.key,
          status: 401,
          code: 'not_authenticated',
        });
        expect(res.headers['www-authenticate']).toBe('Token');
      }
      const wrong = await call(op, 'not-a-token');
      if (rule.scope !== null) expect({ key: op.key, status: wrong.status }).toEqual({ key: op.key, status: 401 });
    }
  });

  it('answers 403 insufficient_scope to a non-admin token exactly where the scope is not a user scope', async () => {
    const userScopes: readonly string[] = IM_ACCESS_POLICY.userScopes;
    for (const op of operations) {
      const rule = IM_ACCESS_POLICY.routes[op.key as keyof typeof IM_ACCESS_POLICY.routes];
      const res = await call(op, h.user.token);
      if (rule.scope !== null && rule.scope !== ANY_CALLER && !userScopes.includes(rule.scope)) {
        expect({ key: op.key, status: res.status, body: res.body }).toEqual({
          key: op.key,
          status: 403,
          body: expect.objectContaining({ code: 'insufficient_scope', scope: rule.scope }),
        });
      } else {
        expectAdmitted(op, res.status);
      }
    }
  });

  it('lets an admin token through to every operation', async () => {
    for (const op of operations) {
      const res = await call(op, h.admin.token);
      expectAdmitted(op, res.status);
    }
  });

  it('keeps today’s rights: non-admins receive orders and signal, nothing else', () => {
    expect(IM_ACCESS_POLICY.userScopes).toEqual(['orders:write', 'sync']);
    const userRoutes = Object.entries(IM_ACCESS_POLICY.routes)
      .filter(
        ([, rule]) => rule.scope !== null && (IM_ACCESS_POLICY.userScopes as readonly string[]).includes(rule.scope),
      )
      .map(([key]) => key);
    expect(userRoutes.sort()).toEqual(['POST /api/receive', 'POST /api/signal']);
  });
});
