import { Body, Controller, Get, Ip, Module, Post, type INestApplication } from '@nestjs/common';
import {
  Admin,
  AuthModule,
  AuthSchema1732200000000,
  CurrentPrincipal,
  Public,
  TokenEndpoint,
  hashToken,
  type Principal,
} from '@pjs/auth';
import { DatabaseModule } from '@pjs/database';
import { createWebApp } from '@pjs/http';
import { createLogger } from '@pjs/logger';
import { createMigratedDatabase, createTestUser, type TestUser } from '@pjs/testing';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import type { DataSource } from 'typeorm';

@Controller()
class SampleController {
  constructor(private readonly tokens: TokenEndpoint) {}

  @Public()
  @Post('api/token')
  token(@Body() body: unknown, @Ip() ip: string) {
    return this.tokens.obtainToken(body, ip);
  }

  @Public()
  @Get('health')
  health() {
    return { ok: true };
  }

  @Get('api/things')
  things(@CurrentPrincipal() who: Principal) {
    return { user: who.username };
  }

  @Admin()
  @Post('api/things')
  create() {
    return { created: true };
  }
}

const logger = createLogger({ service: 'test', process: 'web', level: 'error', stream: new PassThrough() });

async function buildApp(dataSource: DataSource, allow: { internal?: string[]; admin?: string[] } = {}) {
  @Module({
    imports: [
      DatabaseModule.forDataSource(dataSource),
      AuthModule.forRoot({
        internalAllowedIps: allow.internal ?? [],
        adminAllowedIps: allow.admin ?? [],
        loginThrottle: { maxPerUser: 3, maxPerIp: 10, windowMs: 60_000 },
      }),
    ],
    controllers: [SampleController],
  })
  class SampleModule {}
  const app = await createWebApp(SampleModule, { logger, trustProxy: 1 });
  await app.init();
  return app;
}

describe('auth (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let app: INestApplication;
  let user: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    db = await createMigratedDatabase('auth', { migrations: [AuthSchema1732200000000] });
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

  it('answers 403 to a non-admin on an admin route and 201 to an admin', async () => {
    const denied = await http().post('/api/things').set('Authorization', `Token ${user.token}`);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('admin_required');
    expect((await http().post('/api/things').set('Authorization', `Token ${admin.token}`)).status).toBe(201);
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
    expect(json.status).toBe(201);
    expect(json.body.token).toMatch(/^pjs_/);
    const form = await http()
      .post('/api/token')
      .type('form')
      .send(`username=${encodeURIComponent(user.username)}&password=${encodeURIComponent(user.password)}`);
    expect(form.status).toBe(201);
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
    expect(other.status).toBe(201);
  });
});

describe('IP allowlists', () => {
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let app: INestApplication;
  let admin: TestUser;

  beforeAll(async () => {
    db = await createMigratedDatabase('allowlist', { migrations: [AuthSchema1732200000000] });
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
    expect((await call('post', '10.1.2.3')).status).toBe(201);
  });

  it('leaves public routes outside /api open', async () => {
    expect((await request(app.getHttpServer()).get('/health').set('X-Forwarded-For', '198.51.100.7')).status).toBe(200);
  });
});

describe('two apps in one process', () => {
  it('check tokens against their own database only', async () => {
    const a = await createMigratedDatabase('auth_a', { migrations: [AuthSchema1732200000000] });
    const b = await createMigratedDatabase('auth_b', { migrations: [AuthSchema1732200000000] });
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
