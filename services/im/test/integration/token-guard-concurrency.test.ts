import { Controller, Get, Module } from '@nestjs/common';
import { AuthModule, AuthSchema1732200000000, CurrentPrincipal, type Principal } from '@pjs/auth';
import { DatabaseModule } from '@pjs/database';
import { createWebApp } from '@pjs/http';
import { createLogger } from '@pjs/logger';
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

/**
 * Regression test for the global token guard of @pjs/auth as im-web uses it: with the token cache
 * off, concurrent requests of different users must each be answered, with their own principal
 * (passport attaches per-request callbacks to the strategy object it is given).
 */
it('answers concurrent requests of different users each with their own principal', async () => {
  const db = await createMigratedDatabase('token_guard', { migrations: [AuthSchema1732200000000] });
  @Module({
    imports: [
      DatabaseModule.forDataSource(db.dataSource),
      AuthModule.forRoot({ internalAllowedIps: [], adminAllowedIps: [], tokenCacheTtlMs: 0 }),
    ],
    controllers: [WhoController],
  })
  class M {}
  const app = await createWebApp(M, {
    logger: createLogger({ service: 't', process: 'web', level: 'error', stream: new PassThrough() }),
  });
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
