import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { waitFor } from '@pjs/testing';
import { DbuWebContext, bearerHeader, tokenHeader, type WebApp } from './support/dbu-web';
import { registeredRoutes, sampleUrl } from './support/routes';

const run = promisify(execFile);

describe('dbu-web authentication and address allowlists', () => {
  let ctx: DbuWebContext;
  let web: WebApp;

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_auth');
    web = await ctx.start();
  });

  afterAll(async () => {
    await ctx.close();
  });

  describe('POST /api-token-auth/', () => {
    it('issues a token for a JSON body', async () => {
      const res = await web
        .http()
        .post('/api-token-auth/')
        .send({ username: ctx.user.username, password: ctx.user.password })
        .expect(200);
      expect(res.body).toEqual({ token: expect.stringMatching(/^pjs_/) });
      await web
        .http()
        .get('/api/licenses/')
        .set(tokenHeader(res.body.token as string))
        .expect(200);
    });

    it('issues a token for a form body, also without the trailing slash', async () => {
      const res = await web
        .http()
        .post('/api-token-auth')
        .type('form')
        .send(`username=${ctx.user.username}&password=${ctx.user.password}`)
        .expect(200);
      expect(res.body.token).toMatch(/^pjs_/);
    });

    it('works with the seed example: curl -X POST -d "username=..&password=.."', async () => {
      const server: Server = web.app.getHttpServer();
      const port = await new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
      );
      try {
        const { stdout } = await run('curl', [
          '-sS',
          '-X',
          'POST',
          '-d',
          `username=${ctx.user.username}&password=${ctx.user.password}`,
          `http://127.0.0.1:${port}/api-token-auth/`,
        ]);
        expect(JSON.parse(stdout)).toEqual({ token: expect.stringMatching(/^pjs_/) });
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    it('answers wrong credentials with 400 without saying which part was wrong', async () => {
      const wrongPassword = await web
        .http()
        .post('/api-token-auth/')
        .send({ username: ctx.admin.username, password: 'not-the-password' })
        .expect(400);
      const unknownUser = await web
        .http()
        .post('/api-token-auth/')
        .send({ username: 'nobody-here', password: 'whatever-it-is' })
        .expect(400);
      expect(wrongPassword.body.code).toBe('invalid_credentials');
      expect(unknownUser.body.message).toBe(wrongPassword.body.message);
      expect(wrongPassword.body.errors).toBeUndefined();
    });

    it.each(['username', 'password'])('answers 400 naming a missing %s', async (field) => {
      const body: Record<string, string> = { username: 'someone', password: 'something' };
      delete body[field];
      const res = await web.http().post('/api-token-auth/').send(body).expect(400);
      expect(res.body.errors).toEqual([{ field, message: 'is required' }]);
    });

    it('rate-limits repeated failures with 429 and Retry-After', async () => {
      let last = 400;
      let retryAfter: string | undefined;
      for (let i = 0; i < 8 && last !== 429; i += 1) {
        const res = await web
          .http()
          .post('/api-token-auth/')
          .send({ username: 'victim', password: `guess-${i}` });
        last = res.status;
        retryAfter = res.headers['retry-after'];
      }
      expect(last).toBe(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    });
  });

  describe('tokens', () => {
    it('accepts both header forms: Token and Bearer', async () => {
      await web.http().get('/api/products/').set(tokenHeader(ctx.user.token)).expect(200);
      await web.http().get('/api/products/').set(bearerHeader(ctx.user.token)).expect(200);
    });

    it.each([
      ['no header', undefined],
      ['an unknown token', 'Token pjs_unknown'],
      ['a bare token', ctx0Token],
      ['another scheme', 'Basic dXNlcjpwYXNz'],
      ['an empty Token header', 'Token '],
    ])('answers 401 for %s', async (_label, header) => {
      const req = web.http().get('/api/products/');
      const value = typeof header === 'function' ? header() : header;
      const res = await (value === undefined ? req : req.set('Authorization', value)).expect(401);
      expect(res.body.code).toBe('not_authenticated');
      expect(res.headers['www-authenticate']).toBe('Token');
    });

    it('answers 403 insufficient_scope to a non-admin on every admin route', async () => {
      const adminRoutes: [string, string][] = [
        ['post', '/api/products/'],
        ['put', '/api/products/ANY/'],
        ['patch', '/api/products/ANY/'],
        ['delete', '/api/products/ANY/'],
      ];
      for (const [method, url] of adminRoutes) {
        const res = await web
          .http()
          [method as 'post'](url)
          .set(tokenHeader(ctx.user.token))
          .send({ title: 'x' })
          .expect(403);
        expect(res.body).toMatchObject({ code: 'insufficient_scope', scope: 'admin' });
      }
    });
  });

  describe('deny by default', () => {
    it('rejects anonymous calls on every route that needs a scope (enumerated from the router)', async () => {
      const guarded = registeredRoutes(web.app).filter((r) => r.scope !== null);
      // The list must be the real one: a new route shows up here without editing this test.
      expect(guarded.map((r) => `${r.method} ${r.path}`)).toEqual(
        expect.arrayContaining(['GET /api/products', 'POST /api/email-data', 'GET /api/products/:item_no/history']),
      );
      expect(guarded.length).toBeGreaterThanOrEqual(20);
      expect(guarded.every((r) => r.path.startsWith('/api/') || r.path.startsWith('/admin/'))).toBe(true);
      for (const route of guarded) {
        for (const url of [sampleUrl(route.path), `${sampleUrl(route.path)}/`]) {
          const res = await web.http()[route.method.toLowerCase() as 'get'](url).send({});
          expect({ route: `${route.method} ${url}`, status: res.status }).toEqual({
            route: `${route.method} ${url}`,
            status: 401,
          });
        }
      }
    });

    it('keeps /health/, /metrics/ and the token endpoint public', async () => {
      await web.http().get('/health/').expect(200);
      await web.http().get('/metrics/').expect(200);
      await web.http().post('/api-token-auth/').send({}).expect(400);
    });
  });

  describe('INTERNAL_ALLOWED_IPS / ADMIN_ALLOWED_IPS behind a trusted proxy', () => {
    let proxied: WebApp;
    let direct: WebApp;
    const foreign = '192.168.7.7';
    const internal = '10.1.2.3';
    const adminAddress = '10.9.0.5';

    beforeAll(async () => {
      const lists = { INTERNAL_ALLOWED_IPS: '10.0.0.0/8', ADMIN_ALLOWED_IPS: '10.9.0.0/16' };
      proxied = await ctx.start({ ...lists, TRUST_PROXY: '1' });
      direct = await ctx.start({ ...lists, TRUST_PROXY: '0' });
    });

    const from = (app: WebApp, ip: string, method: 'get' | 'post', url: string) =>
      app.http()[method](url).set('X-Forwarded-For', ip);

    it('answers 403 to a foreign address even with a valid token', async () => {
      const res = await from(proxied, foreign, 'get', '/api/products/').set(tokenHeader(ctx.user.token)).expect(403);
      expect(res.body.code).toBe('address_not_allowed');
      await from(proxied, foreign, 'post', '/api-token-auth/').send({ username: 'a', password: 'b' }).expect(403);
    });

    it('lets internal addresses read and keeps admin routes to admin addresses', async () => {
      await from(proxied, internal, 'get', '/api/products/').set(tokenHeader(ctx.user.token)).expect(200);
      const body = { item_no: 'ALLOW-1', title: 'Allowlist probe' };
      const denied = await from(proxied, internal, 'post', '/api/products/')
        .set(tokenHeader(ctx.admin.token))
        .send(body)
        .expect(403);
      expect(denied.body.code).toBe('address_not_allowed');
      await from(proxied, adminAddress, 'post', '/api/products/')
        .set(tokenHeader(ctx.admin.token))
        .send(body)
        .expect(201);
    });

    it('guards /api/docs by the admin list', async () => {
      await from(proxied, foreign, 'get', '/api/docs/openapi.json').expect(403);
      await from(proxied, internal, 'get', '/api/docs').expect(403);
      await from(proxied, adminAddress, 'get', '/api/docs/openapi.json').expect(200);
      await from(proxied, adminAddress, 'get', '/api/docs').expect(200);
      await from(proxied, internal, 'get', '/api/docs/swagger-ui.css').expect(403);
      await from(proxied, adminAddress, 'get', '/api/docs/swagger-ui.css').expect(200);
    });

    it('ignores X-Forwarded-For when TRUST_PROXY is 0', async () => {
      await from(direct, adminAddress, 'get', '/api/products/').set(tokenHeader(ctx.user.token)).expect(403);
      await from(direct, adminAddress, 'get', '/api/docs/openapi.json').expect(403);
    });

    it('keeps /health/ reachable from anywhere', async () => {
      await from(proxied, foreign, 'get', '/health/').expect(200);
    });
  });

  describe('empty allowlists in production', () => {
    const from = (app: WebApp, ip: string, method: 'get' | 'post', url: string) =>
      app.http()[method](url).set('X-Forwarded-For', ip);

    it('lets no address in until an operator lists one (0.0.0.0/0 opens)', async () => {
      const closed = await ctx.start({
        NODE_ENV: 'production',
        TRUST_PROXY: '1',
        INTERNAL_ALLOWED_IPS: '',
        ADMIN_ALLOWED_IPS: '',
      });
      const refused = await from(closed, '127.0.0.1', 'get', '/api/products/')
        .set(tokenHeader(ctx.user.token))
        .expect(403);
      expect(refused.body.code).toBe('address_not_allowed');
      await from(closed, '127.0.0.1', 'get', '/api/docs/openapi.json').expect(403);
      await from(closed, '127.0.0.1', 'get', '/health/').expect(200);

      const open = await ctx.start({
        NODE_ENV: 'production',
        TRUST_PROXY: '1',
        INTERNAL_ALLOWED_IPS: '0.0.0.0/0,::/0',
        ADMIN_ALLOWED_IPS: '10.9.0.0/16',
      });
      await from(open, '198.51.100.7', 'get', '/api/products/').set(tokenHeader(ctx.user.token)).expect(200);
      await from(open, '198.51.100.7', 'get', '/api/docs/openapi.json').expect(403);
      await from(open, '10.9.0.5', 'get', '/api/docs/openapi.json').expect(200);
    });
  });
  // Last on purpose: passport strategies are process-wide, so the newest app's AuthService (and
  // its cache) serves every app of this test process from here on.
  describe('AUTH_TOKEN_CACHE_TTL', () => {
    const login = async (app: WebApp): Promise<string> =>
      (
        await app
          .http()
          .post('/api-token-auth/')
          .send({ username: ctx.admin.username, password: ctx.admin.password })
          .expect(200)
      ).body.token as string;
    const revoke = (token: string) =>
      ctx.dataSource.query(
        `UPDATE auth_tokens SET revoked_at = now() WHERE token_hash = encode(sha256($1::bytea), 'hex')`,
        [token],
      );

    it('with 0, a revoked token is refused at once', async () => {
      const token = await login(web);
      await web.http().get('/api/licenses/').set(tokenHeader(token)).expect(200);
      await revoke(token);
      await web.http().get('/api/licenses/').set(tokenHeader(token)).expect(401);
    });

    it('caches token lookups, yet refuses a token revoked (by hand, in SQL) within a second', async () => {
      const cached = await ctx.start({ AUTH_TOKEN_CACHE_TTL: '10m' });
      const token = await login(cached);
      await cached.http().get('/api/licenses/').set(tokenHeader(token)).expect(200);
      await revoke(token);
      await waitFor(
        async () => (await cached.http().get('/api/licenses/').set(tokenHeader(token))).status === 401,
        1000,
        20,
      );
    });
  });
});

function ctx0Token(): string {
  return 'pjs_not_a_real_token_without_scheme';
}
