import { TokenAuthGuard } from '@pjs/auth';
import { createLicense, createManufacturer, createPhoto, createProduct } from '../factories/catalogue.factory';
import { DbuWebContext, bearerHeader, tokenHeader, type WebApp } from './support/dbu-web';

/**
 * The fast lane in front of Express must be invisible: the same answers as the controllers for
 * what it serves, and everything else handed to the regular pipeline (guards, validation, errors).
 */
describe('dbu-web product fast lane', () => {
  let ctx: DbuWebContext;
  let lane: WebApp;
  let plain: WebApp;
  let guard: jest.SpyInstance;
  let auth: { Authorization: string };

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_fast_lane');
    const env = { LOG_LEVEL: 'http', TRUST_PROXY: '1', INTERNAL_ALLOWED_IPS: '10.0.0.0/8,127.0.0.1,::1' };
    plain = await ctx.start(env, { fastLane: false });
    lane = await ctx.start(env);
    auth = tokenHeader(ctx.user.token);
    const maker = await createManufacturer(ctx.dataSource, { name: 'Lane Maker' });
    const license = await createLicense(ctx.dataSource, 'Lane License');
    for (let i = 1; i <= 7; i += 1) {
      await createProduct(ctx.dataSource, {
        item_no: `LANE-${i}`,
        title: `Lane Statue ${i}`,
        manufacturer_id: maker,
        license_id: license,
        discount_percent: i === 1 ? '5' : null,
      });
    }
    await createPhoto(ctx.dataSource, 'LANE-1');
    guard = jest.spyOn(TokenAuthGuard.prototype, 'canActivate');
  });

  afterAll(async () => {
    guard.mockRestore();
    await ctx.close();
  });

  const normalise = (text: string) => text.replace(/127\.0\.0\.1:\d+/g, 'HOST');

  it.each([
    '/api/products/LANE-1/',
    '/api/products/LANE-1',
    '/api/products/',
    '/api/products',
    '/api/products/?search=lane%20statue&page_size=3',
    '/api/products/?search=lane&page=2&page_size=3',
    '/api/products/?page=3&page_size=3',
    '/api/products/?search=',
  ])('serves %s exactly as the controller does, without the guard chain', async (url) => {
    const before = guard.mock.calls.length;
    const fast = await lane.http().get(url).set(auth).expect(200);
    expect(guard.mock.calls.length).toBe(before);
    const slow = await plain.http().get(url).set(auth).expect(200);
    expect(guard.mock.calls.length).toBeGreaterThan(before);
    expect(normalise(fast.text)).toBe(normalise(slow.text));
    expect(fast.headers['content-type']).toBe(slow.headers['content-type']);
    expect(fast.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['an unknown item', '/api/products/NOPE/', 404],
    ['a page past the end', '/api/products/?page=9', 404],
    ['another filter', '/api/products/?license=Lane%20License', 200],
    ['an invalid page size', '/api/products/?page_size=501', 400],
    ['a repeated parameter', '/api/products/?page=1&page=2', 400],
    ['the history', '/api/products/LANE-1/history/', 200],
  ])('hands %s to the controllers', async (_label, url, status) => {
    const before = guard.mock.calls.length;
    const fast = await lane.http().get(url).set(auth).expect(status);
    expect(guard.mock.calls.length).toBeGreaterThan(before);
    const slow = await plain.http().get(url).set(auth).expect(status);
    expect(Object.keys(fast.body as object).sort()).toEqual(Object.keys(slow.body as object).sort());
  });

  it('never serves anonymous, unknown-token or foreign callers: the guards answer them', async () => {
    const anonymous = await lane.http().get('/api/products/LANE-1/').expect(401);
    expect(anonymous.body.code).toBe('not_authenticated');
    await lane.http().get('/api/products/?search=lane').set('Authorization', 'Token pjs_nope').expect(401);
    const foreign = await lane
      .http()
      .get('/api/products/LANE-1/')
      .set(auth)
      .set('X-Forwarded-For', '192.168.1.1')
      .expect(403);
    expect(foreign.body.code).toBe('address_not_allowed');
    await lane
      .http()
      .get('/api/products/LANE-1/')
      .set(bearerHeader(ctx.user.token))
      .set('X-Forwarded-For', '10.2.3.4')
      .expect(200);
  });

  it('echoes a caller request id, logs the request and counts it under the route template', async () => {
    const res = await lane
      .http()
      .get('/api/products/LANE-2/')
      .set(auth)
      .set('X-Request-Id', 'trace-lane-42')
      .expect(200);
    expect(res.headers['x-request-id']).toBe('trace-lane-42');
    const line = lane.logs.lines().find((l) => l.correlation_id === 'trace-lane-42');
    expect(line).toMatchObject({
      level: 'http',
      msg: 'request',
      method: 'GET',
      path: '/api/products/LANE-2/',
      status: 200,
    });
    const metrics = await lane.http().get('/metrics/').expect(200);
    expect(metrics.text).toMatch(
      /^http_request_duration_seconds_count\{[^}]*route="\/api\/products\/:item_no"[^}]*status_class="2xx"[^}]*\} \d+$/m,
    );
  });

  it('leaves writes alone', async () => {
    await lane.http().post('/api/products/').set(auth).send({ item_no: 'X', title: 'y' }).expect(403);
  });
});
