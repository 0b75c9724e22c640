import { Body, Controller, Get, HttpCode, Module, Post, type INestApplication } from '@nestjs/common';
import { ACCOUNT_ROUTES, AuthModule, authMigrations, SESSION_COOKIE } from '@pjs/auth';
import { DatabaseModule } from '@pjs/database';
import {
  CurrentPrincipal,
  Endpoint,
  Obj,
  Text,
  createWebApp,
  defineAccessPolicy,
  publicRoute,
  scoped,
  type Principal,
  type Static,
} from '@pjs/http';
import { LoggerModule, createLogger } from '@pjs/logger';
import { createMigratedDatabase, createTestUser, waitFor, type TestUser } from '@pjs/testing';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import type { DataSource } from 'typeorm';

const Note = Obj({ text: Text(50, { minLength: 1 }) });

@Controller('api')
class NotesController {
  @Get('notes')
  read(@CurrentPrincipal() who: Principal) {
    return { user: who.username, via: who.via };
  }

  @Post('notes')
  @HttpCode(201)
  @Endpoint({ summary: 'write', body: Note })
  write(@Body() body: Static<typeof Note>) {
    return { saved: body.text };
  }
}

const policy = defineAccessPolicy({
  service: 'notes',
  scopes: { 'notes:read': 'read notes', 'notes:write': 'write notes', admin: 'accounts' },
  userScopes: ['notes:read', 'notes:write'],
  routes: {
    'POST /api/token': publicRoute(),
    'GET /api/notes': scoped('notes:read', 'internal'),
    'POST /api/notes': scoped('notes:write', 'internal'),
    ...ACCOUNT_ROUTES,
  },
});

const logger = createLogger({ service: 'test', process: 'web', level: 'error', stream: new PassThrough() });

function buildApp(dataSource: DataSource, options: { loginTokensPerUser?: number; cacheTtlMs?: number } = {}) {
  @Module({
    imports: [
      DatabaseModule.forDataSource(dataSource),
      LoggerModule.forRoot(logger),
      AuthModule.forRoot({
        policy,
        tokenEndpointPath: 'api/token',
        internalAllowedIps: [],
        adminAllowedIps: [],
        // A long cache: only the database's notification can end a revoked token's life early.
        tokenCacheTtlMs: options.cacheTtlMs ?? 600_000,
        loginTokensPerUser: options.loginTokensPerUser ?? 3,
        secureCookies: true,
        loginThrottle: { maxPerUser: 50, maxPerIp: 200, windowMs: 60_000 },
      }),
    ],
    controllers: [NotesController],
  })
  class NotesModule {}
  return createWebApp(NotesModule, { logger, trustProxy: 1 });
}

describe('accounts and tokens (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let a: INestApplication;
  let b: INestApplication;
  let admin: TestUser;
  let user: TestUser;

  beforeAll(async () => {
    db = await createMigratedDatabase('accounts', { migrations: authMigrations });
    // Two apps on one database stand for two processes (or replicas) of a service.
    [a, b] = [await buildApp(db.dataSource), await buildApp(db.dataSource)];
    admin = await createTestUser(db.dataSource, { admin: true });
    user = await createTestUser(db.dataSource);
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await db.close();
  });

  const on = (app: INestApplication) => request(app.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function makeToken(scopes: string[], extra: Record<string, string> = {}, owner = user.username) {
    const res = await on(a)
      .post('/api/admin/tokens/')
      .set(bearer(admin.token))
      .send({ user: owner, name: 'integration', scopes, ...extra });
    expect(res.status).toBe(201);
    return res.body as { token: string; info: { id: number; prefix: string; scopes: string[] } };
  }

  it('gives a scoped token exactly its scopes, and 403 insufficient_scope beyond them', async () => {
    const { token, info } = await makeToken(['notes:read']);
    expect(info.prefix).toBe(token.slice(0, 12));
    expect((await on(a).get('/api/notes').set(bearer(token))).status).toBe(200);
    const denied = await on(a).post('/api/notes').set(bearer(token)).send({ text: 'x' });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'insufficient_scope', scope: 'notes:write' });
  });

  it('refuses a scope the owner does not have, and an unknown scope, naming the field', async () => {
    const beyond = await on(a)
      .post('/api/admin/tokens/')
      .set(bearer(admin.token))
      .send({ user: user.username, name: 'x', scopes: ['admin'] });
    expect(beyond.status).toBe(400);
    expect(beyond.body.errors[0].field).toBe('scopes');
    const unknown = await on(a)
      .post('/api/admin/tokens/')
      .set(bearer(admin.token))
      .send({ user: user.username, name: 'x', scopes: ['nope'] });
    expect(unknown.status).toBe(400);
  });

  it.each(['99999999999999999d', '36501d', '0d', '1e3d', '-1d'])(
    'refuses the token lifetime expires_in=%s with a 400 naming it',
    async (expiresIn) => {
      const res = await on(a)
        .post('/api/admin/tokens/')
        .set(bearer(admin.token))
        .send({ user: user.username, name: 'x', scopes: ['notes:read'], expires_in: expiresIn });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'expires_in' }] });
    },
  );

  it('stops an expired token', async () => {
    const { token, info } = await makeToken(['notes:read'], { expires_in: '1h' });
    expect((await on(a).get('/api/notes').set(bearer(token))).status).toBe(200);
    await db.dataSource.query(`UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      info.id,
    ]);
    await waitFor(
      async () => ((await on(a).get('/api/notes').set(bearer(token))).status === 401 ? true : undefined),
      1000,
    );
  });

  it('refuses a revoked token on another process within one second', async () => {
    const { token, info } = await makeToken(['notes:read']);
    // Both processes have it in their caches now.
    expect((await on(a).get('/api/notes').set(bearer(token))).status).toBe(200);
    expect((await on(b).get('/api/notes').set(bearer(token))).status).toBe(200);
    const revoked = await on(a).delete(`/api/admin/tokens/${info.id}/`).set(bearer(admin.token));
    expect(revoked.status).toBe(204);
    const started = Date.now();
    await waitFor(
      async () => ((await on(b).get('/api/notes').set(bearer(token))).status === 401 ? true : undefined),
      1000,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a token revoked by hand in SQL too (the trigger notifies)', async () => {
    const { token, info } = await makeToken(['notes:read']);
    expect((await on(b).get('/api/notes').set(bearer(token))).status).toBe(200);
    await db.dataSource.query(`UPDATE auth_tokens SET revoked_at = now() WHERE id = $1`, [info.id]);
    await waitFor(
      async () => ((await on(b).get('/api/notes').set(bearer(token))).status === 401 ? true : undefined),
      1000,
    );
  });

  it('lets login tokens expire after TOKEN_TTL and keeps at most LOGIN_TOKENS_PER_USER live', async () => {
    const person = await createTestUser(db.dataSource);
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await on(a).post('/api/token').send({ username: person.username, password: person.password });
      expect(res.status).toBe(200);
      tokens.push(res.body.token);
    }
    const rows = await db.dataSource.query<{ expires_at: Date; revoked_at: Date | null }[]>(
      `SELECT expires_at, revoked_at FROM auth_tokens WHERE user_id = $1 AND kind = 'login' ORDER BY id`,
      [person.id],
    );
    expect(rows).toHaveLength(5);
    expect(rows.filter((r) => r.revoked_at === null)).toHaveLength(3);
    for (const r of rows) expect(r.expires_at.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect((await on(a).get('/api/notes').set(bearer(tokens[0]))).status).toBe(401);
    expect((await on(a).get('/api/notes').set(bearer(tokens[4]))).status).toBe(200);
  });

  it('refuses the tokens and sessions of a deactivated user everywhere', async () => {
    const person = await createTestUser(db.dataSource);
    expect((await on(b).get('/api/notes').set(bearer(person.token))).status).toBe(200);
    const res = await on(a).patch(`/api/admin/users/${person.id}/`).set(bearer(admin.token)).send({ is_active: false });
    expect(res.status).toBe(200);
    expect(res.body.is_active).toBe(false);
    await waitFor(
      async () => ((await on(b).get('/api/notes').set(bearer(person.token))).status === 401 ? true : undefined),
      1000,
    );
    const login = await on(a).post('/api/token').send({ username: person.username, password: person.password });
    expect(login.status).toBe(400);
  });

  it('refuses passwords under 12 characters', async () => {
    const res = await on(a)
      .post('/api/admin/users/')
      .set(bearer(admin.token))
      .send({ username: 'shorty', password: 'short-pw' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('password');
  });

  it('answers unknown users and wrong passwords alike', async () => {
    const unknown = await on(a).post('/api/token').send({ username: 'nobody-here', password: 'whatever-long-pw' });
    const wrong = await on(a).post('/api/token').send({ username: user.username, password: 'whatever-long-pw' });
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.body.code).toBe(wrong.body.code);
    expect(unknown.body.message).toBe(wrong.body.message);
  });

  describe('sessions for people', () => {
    async function login() {
      const res = await on(a).post('/admin/login').send({ username: user.username, password: user.password });
      expect(res.status).toBe(200);
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0];
      return { cookie, csrf: res.body.csrf_token as string, sessionCookie: cookie.split(';')[0] };
    }

    it('sets an HttpOnly, SameSite=Strict, Secure cookie with the absolute lifetime', async () => {
      const { cookie } = await login();
      expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43};`));
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).toContain('Secure');
      expect(cookie).toContain('Path=/');
      expect(cookie).toContain(`Max-Age=${12 * 3600}`);
    });

    it('reads with the cookie alone, and changes only with the CSRF token and a matching Origin', async () => {
      const { sessionCookie, csrf } = await login();
      const read = await on(a).get('/api/notes').set('Cookie', sessionCookie);
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ user: user.username, via: 'session' });
      const host = '127.0.0.1';
      const write = (headers: Record<string, string>) =>
        on(a).post('/api/notes').set('Cookie', sessionCookie).set('Host', host).set(headers).send({ text: 'hi' });
      const noToken = await write({ Origin: `http://${host}` });
      expect(noToken.status).toBe(403);
      expect(noToken.body.code).toBe('csrf_failed');
      expect((await write({ Origin: `http://${host}`, 'X-CSRF-Token': 'wrong' })).body.code).toBe('csrf_failed');
      expect((await write({ Origin: 'https://evil.example', 'X-CSRF-Token': csrf })).body.code).toBe('csrf_failed');
      expect((await write({ 'X-CSRF-Token': csrf })).body.code).toBe('csrf_failed');
      const ok = await write({ Origin: `http://${host}`, 'X-CSRF-Token': csrf });
      expect(ok.status).toBe(201);
    });

    it('gives the page its session and CSRF token again, and ends the session on logout everywhere', async () => {
      const { sessionCookie, csrf } = await login();
      const session = await on(b).get('/admin/session').set('Cookie', sessionCookie);
      expect(session.status).toBe(200);
      expect(session.body).toMatchObject({ user: { username: user.username }, csrf_token: csrf });
      const out = await on(a)
        .post('/admin/logout')
        .set('Cookie', sessionCookie)
        .set('Host', 'h')
        .set('Origin', 'http://h')
        .set('X-CSRF-Token', csrf);
      expect(out.status).toBe(204);
      expect(([] as string[]).concat(out.headers['set-cookie'])[0]).toContain('Max-Age=0');
      await waitFor(
        async () => ((await on(b).get('/api/notes').set('Cookie', sessionCookie)).status === 401 ? true : undefined),
        1000,
      );
    });

    it('ends a session idle longer than SESSION_IDLE_TIMEOUT', async () => {
      const { sessionCookie } = await login();
      await db.dataSource.query(
        `UPDATE auth_sessions SET last_seen_at = now() - interval '31 minutes', expires_at = expires_at - interval '1 second'`,
      );
      await waitFor(
        async () => ((await on(a).get('/api/notes').set('Cookie', sessionCookie)).status === 401 ? true : undefined),
        1000,
      );
    });
  });

  describe('list parameters', () => {
    const LISTS = ['/api/admin/users/', '/api/admin/tokens/', '/api/admin/audit/'];
    const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

    async function refusal(url: string) {
      const res = await on(a).get(url).set(bearer(admin.token));
      return {
        status: res.status,
        code: res.body.code,
        fields: (res.body.errors ?? []).map((e: { field: string }) => e.field),
      };
    }

    it('pages the user and token lists through their next links', async () => {
      await makeToken(['notes:read']);
      await makeToken(['notes:read']);
      for (const list of ['/api/admin/users/', '/api/admin/tokens/']) {
        const first = await on(a).get(`${list}?limit=1`).set(bearer(admin.token));
        expect(first.status).toBe(200);
        expect(first.body.next).toMatch(/cursor=\d+/);
        const next = await on(a).get(first.body.next).set(bearer(admin.token));
        expect(next.status).toBe(200);
        expect(next.body.results[0].id).toBeGreaterThan(first.body.results[0].id);
      }
    });

    it.each([
      '1e20',
      '-9223372036854775809',
      '9223372036854775808',
      '2147483648',
      '99999999999999999999',
      '-1',
      '0',
      '1.5',
      '0x10',
      ' 1',
      'NaN',
      '%D9%A1%D9%A2',
      'a%00b',
    ])('refuses the id cursor %s of users and tokens with a 400 naming cursor', async (cursor) => {
      for (const list of ['/api/admin/users/', '/api/admin/tokens/']) {
        expect(await refusal(`${list}?cursor=${cursor}`)).toEqual({
          status: 400,
          code: 'validation_failed',
          fields: ['cursor'],
        });
      }
    });

    it.each([
      ['garbled', 'not*base64'],
      ['an exponent', '1e20'],
      ['a JavaScript-only date', cursorOf('1|audit:1')],
      ['Feb 30', cursorOf('2025-02-30T00:00:00.000Z|audit:1')],
      ['year 0', cursorOf('0000-01-01T00:00:00.000Z|audit:1')],
      ['a far year', cursorOf('+275760-09-13T00:00:00.000Z|audit:1')],
      ['a NUL in the id', cursorOf('2025-01-01T00:00:00.000Z|audit:1\u0000')],
      ['a negative id', cursorOf('2025-01-01T00:00:00.000Z|audit:-1')],
      ['an extra part', cursorOf('2025-01-01T00:00:00.000Z|audit:1|x')],
      ['no id', cursorOf('2025-01-01T00:00:00.000Z')],
    ])('refuses an audit cursor with %s with a 400 naming cursor', async (_, cursor) => {
      expect(await refusal(`/api/admin/audit/?cursor=${cursor}`)).toEqual({
        status: 400,
        code: 'validation_failed',
        fields: ['cursor'],
      });
    });

    it.each([
      ['since', '99999999999999d'],
      ['since', '-271821-04-20T00:00:00Z'],
      ['since', '+275760-09-13T00:00:00Z'],
      ['until', '2016-12-31T23:59:60Z'],
    ])('refuses the audit filter %s=%s beyond any stored time with a 400 naming it', async (field, value) => {
      expect(await refusal(`/api/admin/audit/?${field}=${encodeURIComponent(value)}`)).toEqual({
        status: 400,
        code: 'validation_failed',
        fields: [field],
      });
    });

    it.each(['0', '501', '-1', '1.5', '1e20', '99999999999999999999', 'x'])(
      'refuses limit=%s on every account list with a 400 naming limit',
      async (limit) => {
        for (const list of LISTS) {
          expect(await refusal(`${list}?limit=${limit}`)).toEqual({
            status: 400,
            code: 'validation_failed',
            fields: ['limit'],
          });
        }
      },
    );
  });

  describe('audit trail', () => {
    const rows = (action: string) =>
      db.dataSource.query<Record<string, unknown>[]>(`SELECT * FROM audit_log WHERE action = $1 ORDER BY id`, [action]);

    it('records logins, failed ones too, with actor, address and request id', async () => {
      await on(a)
        .post('/api/token')
        .set('X-Forwarded-For', '198.51.100.4')
        .set('X-Request-Id', 'audit-login-1')
        .send({ username: user.username, password: user.password });
      await on(a)
        .post('/api/token')
        .set('X-Forwarded-For', '198.51.100.4')
        .send({ username: user.username, password: 'nope-nope-nope' });
      const logins = (await rows('login')).filter((r) => r.client_ip === '198.51.100.4');
      expect(logins.map((r) => r.outcome)).toEqual(expect.arrayContaining(['ok', 'failed']));
      const ok = logins.find((r) => r.request_id === 'audit-login-1');
      expect(ok).toMatchObject({ actor: user.username, resource: 'token', outcome: 'ok' });
      expect(ok?.token_prefix).toMatch(/^pjs_/);
    });

    it('records token and user changes with the admin as actor, and lists them through the API', async () => {
      const { info } = await makeToken(['notes:read']);
      await on(a).delete(`/api/admin/tokens/${info.id}`).set(bearer(admin.token));
      const created = (await rows('token.create')).find((r) => r.resource_id === String(info.id));
      expect(created).toMatchObject({ actor: admin.username, outcome: 'ok' });
      expect(created?.token_prefix).toBe(admin.token.slice(0, 12));
      const list = await on(a).get('/api/admin/audit/?resource=token&limit=2').set(bearer(admin.token));
      expect(list.status).toBe(200);
      expect(list.body.results).toHaveLength(2);
      expect(list.body.results[0].action).toBe('token.revoke');
      const next = await on(a).get(list.body.next).set(bearer(admin.token));
      expect(next.status).toBe(200);
      expect(next.body.results[0].id).not.toBe(list.body.results[1].id);
    });

    it('keeps the trail append-only', async () => {
      await expect(db.dataSource.query(`UPDATE audit_log SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
      await expect(db.dataSource.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    });

    it('rolls the audit row back with a change that fails', async () => {
      const before = (await rows('user.create')).length;
      const duplicate = await on(a)
        .post('/api/admin/users/')
        .set(bearer(admin.token))
        .send({ username: user.username, password: 'long-enough-password' });
      expect(duplicate.status).toBe(409);
      expect((await rows('user.create')).length).toBe(before);
    });
  });
});
