import { AccessControl } from '@pjs/http';
import { createTestUser } from '@pjs/testing';
import { IM_ACCESS_POLICY } from '../../src/access-policy';
import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { mailBotPayload } from '../factories/orders.factory';

const LOCAL = '127.0.0.1';
const PARTNER = '203.0.113.7'; // allowed to use the API, not the admin routes
const STRANGER = '198.51.100.1'; // not allowed at all

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

  it('places every registered route in the access policy, and has no entry without a route', async () => {
    // createWebApp refuses to start with an unplaced route; this checks the table has no stale rows.
    const registered = new Set(h.app.get(AccessControl).routes.map((r) => r.key));
    // @fastify/static's GET+HEAD wildcard routes (the Swagger UI's and the admin's files) are not listed there.
    const assets = ['GET /api/docs/*', 'GET /api/docs/docs/*', 'GET /admin/assets/*'];
    for (const key of Object.keys(IM_ACCESS_POLICY.routes)) {
      if (!assets.includes(key)) expect({ key, registered: registered.has(key) }).toEqual({ key, registered: true });
    }
    await h.http().get('/api/docs/swagger-ui.css').expect(200);
    await h.http().get('/api/docs/docs/swagger-ui-bundle.js').expect(200);
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

    it('limits the API docs and the /analysis/ redirect to admin addresses', async () => {
      await h.http().get('/api/docs/openapi.json').set(from(PARTNER)).expect(403);
      await h.http().get('/analysis/').set(from(PARTNER)).expect(403);
      await h.http().get('/analysis/').set(from(LOCAL)).expect(302);
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
        '/api/orders',
        '/api/orders/{order_number}',
        '/api/sync/status',
      ]) {
        expect(Object.keys(res.body.paths)).toContain(path);
      }
      const ui = await h.http().get('/api/docs/');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger');
      // Swagger UI may run its own scripts and styles there (the API's answers allow nothing).
      expect(ui.headers['content-security-policy']).toContain("script-src 'self'");
      await h.http().get('/api/docs').expect(200);
      await h.http().get('/api/docs/openapi.yaml').expect(200);
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
    const limited = await inventory('192.0.2.2', h.admin.token).set('X-Request-Id', 'limited-1');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      statusCode: 429,
      code: 'rate_limited',
      message: expect.stringMatching(/^Too many requests \(per token\); try again in \d+ s\.$/),
      request_id: 'limited-1',
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(120);
  });

  it('answers 429 once an address used up its budget, whatever the token', async () => {
    const ip = '192.0.2.50';
    const admins = await Promise.all([1, 2, 3].map(() => createTestUser(h.dataSource, { admin: true })));
    // Counted after the access check: refused callers spend nothing.
    for (let i = 0; i < 3; i++) await h.http().get('/api/inventory/').set('X-Forwarded-For', ip).expect(401);
    for (const token of [admins[0].token, admins[0].token, admins[0].token, admins[1].token, admins[1].token]) {
      await inventory(ip, token).expect(200);
    }
    const limited = await inventory(ip, admins[2].token);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('per address') });
    expect(limited.headers['retry-after']).toBeDefined();
    // Another address is not affected.
    await inventory('192.0.2.51', admins[2].token).expect(200);
  });

  it('limits POST /api/token/ per address too (no token to count yet)', async () => {
    const ip = '192.0.2.60';
    const login = () =>
      h
        .http()
        .post('/api/token/')
        .set('X-Forwarded-For', ip)
        .send({ username: h.user.username, password: h.user.password });
    for (let i = 0; i < 5; i++) await login().expect(200);
    await login().expect(429);
  });

  it('does not limit the /analysis/ redirect', async () => {
    for (let i = 0; i < 8; i++) await h.http().get('/analysis/').set('X-Forwarded-For', '192.0.2.98').expect(302);
  });

  it('does not limit /health/ or /metrics/', async () => {
    for (let i = 0; i < 8; i++) await h.http().get('/health/').set('X-Forwarded-For', '192.0.2.99').expect(200);
  });

  it('counts refused requests in /metrics/', async () => {
    const res = await h.http().get('/metrics/');
    expect(res.text).toMatch(/api_rate_limited_total\{[^}]*scope="token"[^}]*\} [1-9]/);
    expect(res.text).toMatch(/api_rate_limited_total\{[^}]*scope="ip"[^}]*\} [1-9]/);
  });
});
