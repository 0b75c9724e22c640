import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TokenService } from '@pjs/auth';
import { TS_REGISTER, waitFor } from '@pjs/testing';
import request from 'supertest';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

// The child compiles dbu-web's sources on start-up.
jest.setTimeout(120_000);

/**
 * Two replicas of dbu-web in two OS processes on one database, each with its credential cache
 * (AUTH_TOKEN_CACHE_TTL 30 s, the default): a token revoked through one is refused by the other
 * within a second (PostgreSQL NOTIFY clears the other's cache), as is an expiry set in SQL.
 */
describe('revocation across dbu-web processes', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let child: ChildProcess | undefined;
  let other: string;

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_revocation_replicas');
    const env = ctx.env({ AUTH_TOKEN_CACHE_TTL: '30s', LOG_LEVEL: 'error' });
    web = await ctx.start({ AUTH_TOKEN_CACHE_TTL: '30s' });
    child = fork(join(__dirname, 'support', 'web-child.ts'), [], {
      execArgv: ['--require', TS_REGISTER],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child!.on('message', (message: { port?: number }) => message.port && resolve(message.port));
      child!.on('exit', (code) => reject(new Error(`web child exited (${code}): ${stderr}`)));
    });
    other = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    child?.kill('SIGTERM');
    await ctx.close();
  });

  const issue = (name: string) =>
    web.app.get(TokenService, { strict: false }).create({ userId: ctx.user.id, name, scopes: ['catalogue:read'] });
  const onOther = (token: string) => request(other).get('/api/categories/').set(tokenHeader(token));

  it('refuses a token revoked through the other replica within a second', async () => {
    const { token, summary } = await issue('revoked elsewhere');
    expect((await onOther(token)).status).toBe(200); // cached by the other process now
    await web.http().delete(`/api/admin/tokens/${summary.id}/`).set(tokenHeader(ctx.admin.token)).expect(204);
    await waitFor(async () => (await onOther(token)).status === 401, 1000, 20);
  });

  it('refuses a token whose expiry was set by hand in SQL within a second', async () => {
    const { token, summary } = await issue('expired by hand');
    expect((await onOther(token)).status).toBe(200);
    await ctx.dataSource.query(`UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      summary.id,
    ]);
    await waitFor(async () => (await onOther(token)).status === 401, 1000, 20);
  });
});
