import { SESSION_COOKIE } from '@pjs/auth';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

/**
 * People's sessions on dbu-web as built for each environment: the cookie's flags (Secure only in
 * production), and a change with a session needs the CSRF token and an Origin of PUBLIC_BASE_URL.
 */
describe('sessions on dbu-web', () => {
  let ctx: DbuWebContext;
  let development: WebApp;
  let production: WebApp;
  const origin = 'https://dbu.example.com';

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_sessions');
    development = await ctx.start();
    // In production an empty allowlist refuses everyone: name the test's own addresses.
    production = await ctx.start({
      NODE_ENV: 'production',
      PUBLIC_BASE_URL: origin,
      ADMIN_ALLOWED_IPS: '127.0.0.1,::1,::ffff:127.0.0.1',
      INTERNAL_ALLOWED_IPS: '127.0.0.1,::1,::ffff:127.0.0.1',
    });
    await development
      .http()
      .post('/api/products/')
      .set(tokenHeader(ctx.admin.token))
      .send({ item_no: 'SESS-1', title: 'Before' })
      .expect(201);
  });
  afterAll(() => ctx.close());

  async function login(web: WebApp) {
    const res = await web
      .http()
      .post('/admin/login')
      .send({ username: ctx.admin.username, password: ctx.admin.password });
    expect(res.status).toBe(200);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0];
    return { cookie, session: cookie.split(';')[0], csrf: res.body.csrf_token as string };
  }

  it('sets an HttpOnly, SameSite=Strict cookie, without Secure in development', async () => {
    const { cookie } = await login(development);
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure');
  });

  it('adds Secure in production', async () => {
    const { cookie } = await login(production);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Secure');
  });

  it('refuses a change without the CSRF token or from another Origin (403), and accepts it with both', async () => {
    const { session, csrf } = await login(production);
    const patch = (headers: Record<string, string>) =>
      production.http().patch('/api/products/SESS-1/').set('Cookie', session).set(headers).send({ title: 'After' });
    const refused: Record<string, string>[] = [
      { Origin: origin },
      { Origin: origin, 'X-CSRF-Token': 'not-the-token' },
      { Origin: 'https://evil.example', 'X-CSRF-Token': csrf },
      { 'X-CSRF-Token': csrf },
    ];
    for (const headers of refused) {
      const res = await patch(headers);
      expect({ headers, status: res.status, code: res.body.code }).toEqual({
        headers,
        status: 403,
        code: 'csrf_failed',
      });
    }
    const [before] = await ctx.dataSource.query(`SELECT title FROM products WHERE item_no = 'SESS-1'`);
    expect(before.title).toBe('Before');

    const ok = await patch({ Origin: origin, 'X-CSRF-Token': csrf });
    expect(ok.status).toBe(200);
    expect(ok.body.title).toBe('After');
    const [audit] = await ctx.dataSource.query(
      `SELECT actor, token_prefix FROM audit_log WHERE action = 'product.update' AND resource_id = 'SESS-1'`,
    );
    expect(audit).toEqual({ actor: ctx.admin.username, token_prefix: null });
  });

  it('reads with the session cookie alone, no CSRF token needed', async () => {
    const { session } = await login(development);
    const res = await development.http().get('/api/products/SESS-1/').set('Cookie', session);
    expect(res.status).toBe(200);
  });
});
