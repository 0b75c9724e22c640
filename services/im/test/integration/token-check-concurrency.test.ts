import { Controller, Get, Module } from '@nestjs/common';
import { AuthModule, authMigrations } from '@pjs/auth';
import { DatabaseModule } from '@pjs/database';
import { createWebApp, CurrentPrincipal, defineAccessPolicy, scoped, type Principal } from '@pjs/http';
import { LoggerModule, createLogger } from '@pjs/logger';
import { createMigratedDatabase, createTestUser } from '@pjs/testing';
import { PassThrough } from 'node:stream';
import request from 'supertest';

jest.setTimeout(60_000);

@Controller()
class WhoController {
  @Get('api/who')
  who(@CurrentPrincipal() p: Principal) {
    return { user: p.username };
  }
}

const policy = defineAccessPolicy({
  service: 'who',
  scopes: { read: 'who am I' },
  userScopes: ['read'],
  routes: { 'GET /api/who': scoped('read') },
});

/**
 * Regression test for the token check of the request pipeline as im-web uses it: with the token
 * cache off, concurrent requests of different users must each be answered, with their own principal.
 */
it('answers concurrent requests of different users each with their own principal', async () => {
  const logger = createLogger({ service: 't', process: 'web', level: 'error', stream: new PassThrough() });
  const db = await createMigratedDatabase('token_guard', { migrations: authMigrations });
  @Module({
    imports: [
      DatabaseModule.forDataSource(db.dataSource),
      LoggerModule.forRoot(logger),
      AuthModule.forRoot({
        policy,
        internalAllowedIps: [],
        adminAllowedIps: [],
        tokenCacheTtlMs: 0,
        accountRoutes: false,
      }),
    ],
    controllers: [WhoController],
  })
  class M {}
  const app = await createWebApp(M, { logger });
  await app.listen(0, '127.0.0.1');
  const users = await Promise.all(Array.from({ length: 4 }, () => createTestUser(db.dataSource)));
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => {
      const u = users[i % users.length];
      return request(app.getHttpServer())
        .get('/api/who')
        .set('Authorization', `Token ${u.token}`)
        .timeout(5000)
        .then(
          (res) => (res.status === 200 && res.body.user === u.username ? 'ok' : `wrong:${res.status}:${res.body.user}`),
          (err: Error) => `error:${err.message}`,
        );
    }),
  );
  await app.close();
  await db.close();
  expect(results.filter((r) => r !== 'ok')).toEqual([]);
});
