import { Body, Controller, Get, HttpCode, Module, Post, type INestApplication } from '@nestjs/common';
import { ACCOUNT_ROUTES, AuthModule, authMigrations, hashToken } from '@pjs/auth';
import { DatabaseModule } from '@pjs/database';
import {
  CurrentPrincipal,
  Endpoint,
  Obj,
  Text,
  createWebApp,
  defineAccessPolicy,
  probeRoute,
  publicRoute,
  scoped,
  type Principal,
  type Static,
} from '@pjs/http';
import { LoggerModule, createLogger } from '@pjs/logger';
import { createMigratedDatabase, createTestUser, type TestUser } from '@pjs/testing';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import type { DataSource } from 'typeorm';

const AUTH_MIGRATIONS = authMigrations;

const Thing = Obj({ name: Text(20, { minLength: 1 }) });

@Controller()
class SampleController {
  @Get('health')
  health() {
    return { ok: true };
  }

  @Get('api/things')
  things(@CurrentPrincipal() who: Principal) {
    return { user: who.username };
  }

  @Post('api/things')
  @HttpCode(201)
  @Endpoint({ summary: 'create', body: Thing })
  create(@Body() body: Static<typeof Thing>) {
    return { created: body.name };
  }
}

const policy = defineAccessPolicy({
  service: 'sample',
  scopes: { read: 'reads things', admin: 'creates things' },
  userScopes: ['read'],
  routes: {
    'GET /health': probeRoute(),
    'POST /api/token': publicRoute(),
    'GET /api/things': scoped('read', 'internal'),
    'POST /api/things': scoped('admin', 'internal', 'admin'),
    ...ACCOUNT_ROUTES,
  },
});

const logger = createLogger({ service: 'test', process: 'web', level: 'error', stream: new PassThrough() });

async function buildApp(dataSource: DataSource, allow: { internal?: string[]; admin?: string[] } = {}) {
  @Module({
    imports: [
      DatabaseModule.forDataSource(dataSource),
      LoggerModule.forRoot(logger),
      AuthModule.forRoot({
        policy,
        tokenEndpointPath: 'api/token',
        internalAllowedIps: allow.internal ?? [],
        adminAllowedIps: allow.admin ?? [],
        // Windows are fixed (aligned to the clock); at one minute a test's attempts sometimes straddled two.
        loginThrottle: { maxPerUser: 3, maxPerIp: 10, windowMs: 3_600_000 },
      }),
    ],
    controllers: [SampleController],
  })
  class SampleModule {}
  return createWebApp(SampleModule, { logger, trustProxy: 1 });
}

describe('auth (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let app: INestApplication;
  let user: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    db = await createMigratedDatabase('auth', { migrations: AUTH_MIGRATIONS });
    app = await buildApp(db.dataSource);
    user = await createTestUser(db.dataSource);
    admin = await createTestUser(db.dataSource, { admin: true });
  });

  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const http = () => request(app.getHttpServer());

  it('rejects anonymous calls on every non-public route with 401 JSON', async () => {
    for (const [method, path] of [
      ['get', '/api/things'],
      ['post', '/api/things'],
    ] as const) {
      const res = await http()[method](path);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('not_authenticated');
      expect(res.headers['www-authenticate']).toBe('Token');
    }
  });

  it('accepts both the Token and the Bearer header forms', async () => {
    for (const scheme of ['Token', 'Bearer']) {
      const res = await http().get('/api/things').set('Authorization', `${scheme} ${user.token}`);
      expect(res.status).toBe(200);
      expect(res.body.user).toBe(user.username);
    }
  });

  it('rejects an unknown token and a malformed header', async () => {
    expect((await http().get('/api/things').set('Authorization', 'Token pjs_nope')).status).toBe(401);
    expect((await http().get('/api/things').set('Authorization', `Basic ${user.token}`)).status).toBe(401);
  });

  it('answers 403 insufficient_scope to a non-admin on an admin route and 201 to an admin', async () => {
    const denied = await http().post('/api/things').set('Authorization', `Token ${user.token}`).send({ name: 'a' });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'insufficient_scope', scope: 'admin' });
    const created = await http().post('/api/things').set('Authorization', `Token ${admin.token}`).send({ name: 'a' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ created: 'a' });
  });

  it('checks access before reading the body, and validates the body naming the field', async () => {
    const anonymous = await http().post('/api/things').send('{not json');
    expect(anonymous.status).toBe(401);
    const bad = await http()
      .post('/api/things')
      .set('Authorization', `Token ${admin.token}`)
      .send({ name: ['x'], x: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'name', message: 'must be text' }] });
    const nul = await http()
      .post('/api/things')
      .set('Authorization', `Token ${admin.token}`)
      .send({ name: 'a\u0000b' });
    expect(nul.status).toBe(400);
    expect(nul.body.errors[0].field).toBe('name');
    const malformed = await http()
      .post('/api/things')
      .set('Authorization', `Token ${admin.token}`)
      .set('Content-Type', 'application/json')
      .send('{"name":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('malformed_body');
  });

  it('matches paths case-sensitively and with or without the trailing slash', async () => {
    const auth = { Authorization: `Token ${user.token}` };
    expect((await http().get('/api/things/').set(auth)).status).toBe(200);
    expect((await http().get('/API/things').set(auth)).status).toBe(404);
    expect((await http().get('/api/Things').set(auth)).status).toBe(404);
  });

  it.each([
    '/API/things',
    '//api/things',
    '/api//things',
    '/api%2Fthings',
    '/api/things.',
    '/api/things;x=1',
    '/api/things%00',
  ])('serves no variant of a route (%s): 404 for an admin, never the handler', async (path) => {
    const res = await http().post(path).set('Authorization', `Token ${admin.token}`).send({ name: 'v' });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await http().get('/health').set('X-Request-Id', 'trace-42');
    expect(kept.headers['x-request-id']).toBe('trace-42');
    const replaced = await http().get('/health').set('X-Request-Id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await http().get('/api/things');
    expect(missing.body.request_id).toBe(missing.headers['x-request-id']);
  });

  it('stores tokens and passwords only as hashes', async () => {
    const [u] = await db.dataSource.query(`SELECT password_hash FROM auth_users WHERE username = $1`, [user.username]);
    expect(u.password_hash).toMatch(/^scrypt\$/);
    expect(u.password_hash).not.toContain(user.password);
    const rows = await db.dataSource.query(`SELECT token_hash FROM auth_tokens`);
    expect(rows.map((r: { token_hash: string }) => r.token_hash)).toContain(hashToken(user.token));
    expect(JSON.stringify(rows)).not.toContain(user.token);
  });

  it('issues a token for JSON and form-encoded credentials', async () => {
    const json = await http().post('/api/token').send({ username: user.username, password: user.password });
    expect(json.status).toBe(200);
    expect(json.body.token).toMatch(/^pjs_/);
    const form = await http()
      .post('/api/token')
      .type('form')
      .send(`username=${encodeURIComponent(user.username)}&password=${encodeURIComponent(user.password)}`);
    expect(form.status).toBe(200);
    expect((await http().get('/api/things').set('Authorization', `Token ${form.body.token}`)).status).toBe(200);
  });

  it('answers 400 naming a missing field, and 400 without details for wrong credentials', async () => {
    const missing = await http().post('/api/token').send({ username: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ field: 'password', message: 'is required' }]);
    const wrong = await http().post('/api/token').send({ username: 'nobody', password: 'wrong-password' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(wrong.body.message).not.toMatch(/username|password/i);
  });

  it('rate-limits repeated failures per address and username with 429 and Retry-After', async () => {
    const attempt = () =>
      http()
        .post('/api/token')
        .set('X-Forwarded-For', '203.0.113.9')
        .send({ username: admin.username, password: 'bad-guess' });
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(400);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password waits until the window passes.
    const right = await http()
      .post('/api/token')
      .set('X-Forwarded-For', '203.0.113.9')
      .send({ username: admin.username, password: admin.password });
    expect(right.status).toBe(429);
    // Another address is not affected.
    const other = await http()
      .post('/api/token')
      .set('X-Forwarded-For', '203.0.113.10')
      .send({ username: admin.username, password: admin.password });
    expect(other.status).toBe(200);
  });
});

describe('login throttling under concurrency', () => {
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let apps: INestApplication[];
  let victim: TestUser;

  beforeAll(async () => {
    db = await createMigratedDatabase('throttle', { migrations: AUTH_MIGRATIONS });
    // Two apps on one database stand for two processes (or replicas) of a service.
    apps = [await buildApp(db.dataSource), await buildApp(db.dataSource)];
    victim = await createTestUser(db.dataSource);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await db.close();
  });

  it('checks at most the allowed number of 50 parallel wrong passwords, across processes', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        request(apps[i % 2].getHttpServer())
          .post('/api/token')
          .set('X-Forwarded-For', '203.0.113.77')
          .send({ username: victim.username, password: `guess-${i}` })
          .then((res) => res.status),
      ),
    );
    // maxPerUser is 3: three guesses reach the password check (400), the rest wait (429).
    expect(statuses.filter((s) => s === 400)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(47);
    const [row] = await db.dataSource.query(`SELECT attempts FROM auth_login_throttle WHERE key = $1`, [
      `user:203.0.113.77:${victim.username.toLowerCase()}`,
    ]);
    expect(row.attempts).toBe(50);
  });

  it('gives a correct password its attempt back', async () => {
    const ip = '203.0.113.78';
    for (let i = 0; i < 5; i++) {
      const ok = await request(apps[0].getHttpServer())
        .post('/api/token')
        .set('X-Forwarded-For', ip)
        .send({ username: victim.username, password: victim.password });
      expect(ok.status).toBe(200);
    }
  });
});

describe('IP allowlists', () => {
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let app: INestApplication;
  let admin: TestUser;

  beforeAll(async () => {
    db = await createMigratedDatabase('allowlist', { migrations: AUTH_MIGRATIONS });
    app = await buildApp(db.dataSource, { internal: ['10.0.0.0/8', '127.0.0.1'], admin: ['10.1.2.3'] });
    admin = await createTestUser(db.dataSource, { admin: true });
  });

  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const call = (method: 'get' | 'post', ip: string) =>
    request(app.getHttpServer())
      [method]('/api/things')
      .set('X-Forwarded-For', ip)
      .set('Authorization', `Token ${admin.token}`);

  it('answers 403 to a foreign address on /api, before authentication', async () => {
    const res = await request(app.getHttpServer()).get('/api/things').set('X-Forwarded-For', '198.51.100.7');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('address_not_allowed');
  });

  it('lets internal addresses use the API and only admin addresses use admin routes', async () => {
    expect((await call('get', '10.20.30.40')).status).toBe(200);
    expect((await call('post', '10.20.30.40')).status).toBe(403);
    expect((await call('post', '10.1.2.3').send({ name: 'b' })).status).toBe(201);
  });

  it('leaves public routes outside /api open', async () => {
    expect((await request(app.getHttpServer()).get('/health').set('X-Forwarded-For', '198.51.100.7')).status).toBe(200);
  });
});

describe('the access policy', () => {
  it('refuses to start an app with a route it does not place', async () => {
    @Controller()
    class Unplaced {
      @Get('api/secret')
      secret() {
        return 'x';
      }
    }
    const db = await createMigratedDatabase('auth_unplaced', { migrations: AUTH_MIGRATIONS });
    @Module({
      imports: [
        DatabaseModule.forDataSource(db.dataSource),
        LoggerModule.forRoot(logger),
        AuthModule.forRoot({ policy, tokenEndpointPath: 'api/token', internalAllowedIps: [], adminAllowedIps: [] }),
      ],
      controllers: [Unplaced],
    })
    class UnplacedModule {}
    try {
      await expect(createWebApp(UnplacedModule, { logger })).rejects.toThrow(/GET \/api\/secret.*access policy/);
    } finally {
      await db.close();
    }
  });
});

describe('two apps in one process', () => {
  it('check tokens against their own database only', async () => {
    const a = await createMigratedDatabase('auth_a', { migrations: AUTH_MIGRATIONS });
    const b = await createMigratedDatabase('auth_b', { migrations: AUTH_MIGRATIONS });
    const appA = await buildApp(a.dataSource);
    const appB = await buildApp(b.dataSource);
    try {
      const userA = await createTestUser(a.dataSource);
      const userB = await createTestUser(b.dataSource);
      const get = (app: INestApplication, token: string) =>
        request(app.getHttpServer()).get('/api/things').set('Authorization', `Token ${token}`);
      expect((await get(appA, userA.token)).status).toBe(200);
      expect((await get(appB, userB.token)).status).toBe(200);
      expect((await get(appA, userB.token)).status).toBe(401);
      expect((await get(appB, userA.token)).status).toBe(401);
    } finally {
      await appA.close();
      await appB.close();
      await a.close();
      await b.close();
    }
  });
});
