import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { mailBotPayload } from '../factories/orders.factory';

const LOCAL = '127.0.0.1';
const PARTNER = '203.0.113.7'; // allowed to use the API, not the admin routes
const STRANGER = '198.51.100.1'; // not allowed at all

/** Every route Nest registered on the Express app, with its methods. */
function registeredRoutes(h: ImWebHarness): { method: string; path: string }[] {
  const express = h.app.getHttpAdapter().getInstance() as unknown as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  return express.router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route!.methods)
        .filter((m) => m !== '_all')
        .map((method) => ({ method, path: layer.route!.path })),
    );
}

describe('im-web security', () => {
  let h: ImWebHarness;

  beforeAll(async () => {
    h = await startImWeb('im_security', {
      TRUST_PROXY: '1',
      INTERNAL_ALLOWED_IPS: `${LOCAL},203.0.113.0/24`,
      ADMIN_ALLOWED_IPS: LOCAL,
    });
  });
  afterAll(() => h.close());

  describe('POST /api/token/', () => {
    it('issues a working token for JSON and form bodies', async () => {
      const json = await h.http().post('/api/token/').send({ username: h.admin.username, password: h.admin.password });
      expect(json.status).toBe(200);
      expect(json.body.token).toEqual(expect.any(String));
      await h.http().get('/api/inventory/').set('Authorization', `Token ${json.body.token}`).expect(200);
      const form = await h
        .http()
        .post('/api/token')
        .type('form')
        .send({ username: h.user.username, password: h.user.password });
      expect(form.status).toBe(200);
      expect(form.body.token).toEqual(expect.any(String));
    });

    it('answers 400 for wrong credentials without saying which field was wrong', async () => {
      const res = await h.http().post('/api/token/').send({ username: h.admin.username, password: 'wrong' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_credentials');
      expect(res.body.errors).toBeUndefined();
    });

    it('answers 400 naming a missing field', async () => {
      const res = await h.http().post('/api/token/').send({ username: 'someone' });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('password');
    });
  });

  it('rejects anonymous calls on every /api route except the token endpoint', async () => {
    const routes = registeredRoutes(h).filter((r) => r.path.startsWith('/api'));
    const paths = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    // The routes of this issue must all be there (Express matches them with and without the slash).
    for (const expected of [
      'POST /api/receive',
      'GET /api/inventory',
      'POST /api/add-stock',
      'POST /api/reduce-stock',
      'DELETE /api/delete-item',
      'GET /api/items/:item_no/movements',
      'GET /api/analysis/upcoming-payments',
      'POST /api/signal',
      'POST /api/query-dbu-item',
      'POST /api/confirm-item',
    ]) {
      expect(paths).toContain(expected);
    }
    for (const route of routes) {
      const key = `${route.method.toUpperCase()} ${route.path}`;
      // Public by design: obtaining a token, and the OpenAPI UI/document (ADMIN_ALLOWED_IPS only, tested below).
      if (key === 'POST /api/token' || route.path.startsWith('/api/docs')) continue;
      const path = route.path.replace(/:[a-z_]+/g, 'X-1');
      const method = route.method as 'get' | 'post' | 'put' | 'patch' | 'delete';
      const res = await h.http()[method](path).send({});
      expect({ route: key, status: res.status }).toEqual({ route: key, status: 401 });
      const wrong = await h.http()[method](path).set('Authorization', 'Token not-a-token').send({});
      expect({ route: key, status: wrong.status }).toEqual({ route: key, status: 401 });
    }
  });

  describe('address allowlists (TRUST_PROXY=1)', () => {
    const from = (ip: string) => ({ 'X-Forwarded-For': ip });

    it('lets an internal partner use the API but not the admin routes', async () => {
      await h.http().post('/api/receive/').set(auth(h.user)).set(from(PARTNER)).send(mailBotPayload()).expect(201);
      const admin = await h.http().get('/api/inventory/').set(auth(h.admin)).set(from(PARTNER));
      expect(admin.status).toBe(403);
      expect(admin.body.code).toBe('address_not_allowed');
      await h.http().get('/api/inventory/').set(auth(h.admin)).set(from(LOCAL)).expect(200);
    });

    it('refuses the API to unknown addresses, even with a valid token', async () => {
      const res = await h.http().post('/api/receive/').set(auth(h.admin)).set(from(STRANGER)).send(mailBotPayload());
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('address_not_allowed');
    });

    it('limits the API docs and the analysis page to admin addresses', async () => {
      await h.http().get('/api/docs/openapi.json').set(from(PARTNER)).expect(403);
      await h.http().get('/analysis/').set(from(PARTNER)).expect(403);
      await h.http().get('/analysis/').set(from(LOCAL)).expect(200);
    });

    it('keeps /health/ and /metrics/ reachable for probes', async () => {
      await h.http().get('/health/').set(from(STRANGER)).expect(200);
      await h.http().get('/metrics/').set(from(STRANGER)).expect(200);
    });
  });

  describe('operations', () => {
    it('reports health with database and broker', async () => {
      const res = await h.http().get('/health/');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ service: 'im-web', database: 'up' });
    });

    it('publishes the OpenAPI document with every route', async () => {
      const res = await h.http().get('/api/docs/openapi.json');
      expect(res.status).toBe(200);
      for (const path of [
        '/api/token',
        '/api/receive',
        '/api/inventory',
        '/api/add-stock',
        '/api/reduce-stock',
        '/api/delete-item',
        '/api/items/{item_no}/movements',
        '/api/analysis/upcoming-payments',
      ]) {
        expect(Object.keys(res.body.paths)).toContain(path);
      }
      const ui = await h.http().get('/api/docs/');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger');
    });

    it('exposes the stock metrics', async () => {
      const res = await h.http().get('/metrics/');
      for (const name of ['im_stock_movements_total', 'im_reduce_conflicts_total', 'im_orders_received_total']) {
        expect(res.text).toContain(`# TYPE ${name} counter`);
      }
    });
  });
});

describe('im-web rate limits', () => {
  let h: ImWebHarness;

  beforeAll(async () => {
    h = await startImWeb('im_ratelimit', {
      TRUST_PROXY: '1',
      RATE_LIMIT_PER_TOKEN: '3',
      RATE_LIMIT_PER_IP: '5',
      RATE_LIMIT_WINDOW: '1m',
    });
  });
  afterAll(() => h.close());

  const inventory = (ip: string, token: string) =>
    h.http().get('/api/inventory/').set('X-Forwarded-For', ip).set('Authorization', `Token ${token}`);

  it('answers 429 with Retry-After once a token used up its budget', async () => {
    for (let i = 0; i < 3; i++) await inventory('192.0.2.1', h.admin.token).expect(200);
    const limited = await inventory('192.0.2.2', h.admin.token);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(120);
  });

  it('answers 429 once an address used up its budget, whatever the token', async () => {
    const ip = '192.0.2.50';
    for (let i = 0; i < 5; i++) {
      const res = await h.http().get('/api/inventory/').set('X-Forwarded-For', ip);
      expect(res.status).toBe(401);
    }
    const limited = await inventory(ip, h.user.token);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    // Another address is not affected.
    await inventory('192.0.2.51', h.user.token).expect(403);
  });

  it('does not limit /health/ or /metrics/', async () => {
    for (let i = 0; i < 8; i++) await h.http().get('/health/').set('X-Forwarded-For', '192.0.2.99').expect(200);
  });

  it('counts refused requests in /metrics/', async () => {
    const res = await h.http().get('/metrics/');
    expect(res.text).toMatch(/im_rate_limited_total\{[^}]*scope="token"[^}]*\} [1-9]/);
    expect(res.text).toMatch(/im_rate_limited_total\{[^}]*scope="ip"[^}]*\} [1-9]/);
  });
});
