import { waitFor } from '@pjs/testing';
import { createLicense, createManufacturer, createPhoto, createProduct } from '../factories/catalogue.factory';
import { DbuWebContext, bearerHeader, tokenHeader, type WebApp } from './support/dbu-web';

/**
 * What the one request pipeline does for every dbu-web route, shown on the hottest reads (the
 * product lookup and search) and on writes: routing rules, request ids, the access check, body
 * errors, the access log and the RED metrics.
 */
describe('dbu-web request pipeline', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let auth: { Authorization: string };

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_pipeline');
    web = await ctx.start({
      TRUST_PROXY: '1',
      INTERNAL_ALLOWED_IPS: '10.0.0.0/8,127.0.0.1,::1',
      BODY_LIMIT: '4kb',
    });
    auth = tokenHeader(ctx.user.token);
    const maker = await createManufacturer(ctx.dataSource, { name: 'Hot Maker' });
    const license = await createLicense(ctx.dataSource, 'Hot License');
    for (let i = 1; i <= 7; i += 1) {
      await createProduct(ctx.dataSource, {
        item_no: `HOT-${i}`,
        title: `Hot Statue ${i}`,
        manufacturer_id: maker,
        license_id: license,
        discount_percent: i === 1 ? '5' : null,
      });
    }
    await createPhoto(ctx.dataSource, 'HOT-1');
  });

  afterAll(async () => {
    await ctx.close();
  });

  describe('routing', () => {
    it.each(['/API/products/', '/api/Products/', '/Api/products/HOT-1/', '/api/products/HOT-1/HISTORY/'])(
      'matches paths case-sensitively: %s is 404',
      async (url) => {
        const res = await web.http().get(url).set(auth).expect(404);
        expect(res.body).toMatchObject({ statusCode: 404, code: 'not_found' });
      },
    );

    it.each([
      ['/api/products/HOT-1', '/api/products/HOT-1/'],
      ['/api/products', '/api/products/'],
      ['/api/products?search=hot%20statue&page_size=3', '/api/products/?search=hot%20statue&page_size=3'],
      ['/api/products/HOT-1/history', '/api/products/HOT-1/history/'],
    ])('answers %s and %s alike (the trailing slash is optional)', async (bare, slashed) => {
      const a = await web.http().get(bare).set(auth).expect(200);
      const b = await web.http().get(slashed).set(auth).expect(200);
      const withoutLinks = (text: string) => text.replace(/"(next|previous)":"[^"]*"/g, '"$1":"…"');
      expect(withoutLinks(a.text)).toBe(withoutLinks(b.text));
      expect(a.headers['content-type']).toMatch(/^application\/json/);
    });
  });

  describe('the hot reads', () => {
    it('answers a lookup and a search page with the product JSON PostgreSQL builds', async () => {
      const detail = await web.http().get('/api/products/HOT-1/').set(auth).expect(200);
      expect(detail.body).toMatchObject({
        item_no: 'HOT-1',
        manufacturer: { name: 'Hot Maker' },
        license: { name: 'Hot License' },
        discount: { type: 'percent', value: '5.00' },
        photos: [expect.objectContaining({ status: 'stored' })],
      });
      const page = await web.http().get('/api/products/?search=hot&page=2&page_size=3').set(auth).expect(200);
      expect(page.body).toMatchObject({
        count: 7,
        results: [{ item_no: 'HOT-4' }, { item_no: 'HOT-5' }, { item_no: 'HOT-6' }],
      });
      expect(page.body.next).toMatch(/\/api\/products\/\?search=hot&page=3&page_size=3$/);
      expect(page.body.previous).toMatch(/\/api\/products\/\?search=hot&page_size=3$/);
    });

    it('keeps a well-formed X-Request-Id, logs the request under its route and counts it', async () => {
      const res = await web
        .http()
        .get('/api/products/HOT-2/')
        .set(auth)
        .set('X-Request-Id', 'trace-hot-42')
        .set('X-Forwarded-For', '10.4.5.6')
        .expect(200);
      expect(res.headers['x-request-id']).toBe('trace-hot-42');
      // Access lines are batched (at most one write per 10 ms), so wait for the flush.
      const line = await waitFor(() => web.logs.lines().find((l) => l.request_id === 'trace-hot-42'), 5_000, 10);
      expect(line).toMatchObject({
        level: 'info',
        msg: 'request',
        service: 'dbu-web',
        process: 'web',
        method: 'GET',
        path: '/api/products/HOT-2/',
        route: '/api/products/:item_no',
        status: 200,
        client_ip: '10.4.5.6',
        duration_ms: expect.any(Number),
      });
      await web.http().get('/api/products/?search=hot').set(auth).expect(200);
      const metrics = await web.http().get('/metrics/').expect(200);
      for (const route of ['/api/products/:item_no', '/api/products']) {
        expect(metrics.text).toMatch(
          new RegExp(
            `^http_request_duration_seconds_count\\{[^}]*route="${route.replace(/[/:]/g, (c) => `\\${c}`)}"[^}]*status_class="2xx"[^}]*\\} \\d+$`,
            'm',
          ),
        );
      }
    });

    it('gives a new request id when the caller sends none or a malformed one', async () => {
      const none = await web.http().get('/api/products/HOT-3/').set(auth).expect(200);
      expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const bad = await web
        .http()
        .get('/api/products/HOT-3/')
        .set(auth)
        .set('X-Request-Id', 'bad id\twith tab')
        .expect(200);
      expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('refuses anonymous, unknown-token and foreign callers; accepts Bearer from an internal address', async () => {
      const anonymous = await web.http().get('/api/products/HOT-1/').expect(401);
      expect(anonymous.body).toMatchObject({ code: 'not_authenticated', request_id: expect.any(String) });
      await web.http().get('/api/products/?search=hot').set('Authorization', 'Token pjs_nope').expect(401);
      const foreign = await web
        .http()
        .get('/api/products/HOT-1/')
        .set(auth)
        .set('X-Forwarded-For', '192.168.1.1')
        .expect(403);
      expect(foreign.body.code).toBe('address_not_allowed');
      await web
        .http()
        .get('/api/products/HOT-1/')
        .set(bearerHeader(ctx.user.token))
        .set('X-Forwarded-For', '10.2.3.4')
        .expect(200);
    });

    it('answers invalid values with 400 naming the field, unknown items and pages with 404', async () => {
      const size = await web.http().get('/api/products/?page_size=501').set(auth).expect(400);
      expect(size.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'page_size' }] });
      const repeated = await web.http().get('/api/products/?page=1&page=2').set(auth).expect(400);
      expect(repeated.body.errors[0].field).toBe('page');
      await web.http().get('/api/products/NOPE/').set(auth).expect(404);
      await web.http().get('/api/products/?page=9').set(auth).expect(404);
    });

    it('sends the security headers on every answer', async () => {
      for (const res of [
        await web.http().get('/api/products/HOT-1/').set(auth),
        await web.http().get('/api/products/HOT-1/'),
      ]) {
        expect(res.headers).toMatchObject({
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'content-security-policy': expect.stringContaining("default-src 'none'"),
        });
      }
    });
  });

  describe('bodies', () => {
    const admin = () => tokenHeader(ctx.admin.token);

    it('answers malformed JSON with 400 malformed_body', async () => {
      const res = await web
        .http()
        .post('/api/email-data/')
        .set(auth)
        .type('json')
        .send('{"order_number": ')
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'malformed_body', request_id: expect.any(String) });
    });

    it('answers a JSON body over BODY_LIMIT with 413 payload_too_large', async () => {
      const items = Array.from({ length: 200 }, (_, i) => ({ item_no: `ITEM-${i}`, discount: '5%' }));
      const res = await web.http().post('/api/email-data/').set(auth).send({ order_number: 'BIG', items }).expect(413);
      expect(res.body).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
      const product = await web
        .http()
        .post('/api/products/')
        .set(admin())
        .send({ item_no: 'BIG-1', title: 'x', description: 'y'.repeat(5000) })
        .expect(413);
      expect(product.body.code).toBe('payload_too_large');
    });

    it('reads JSON numbers for text fields as their digits', async () => {
      const res = await web
        .http()
        .post('/api/email-data/')
        .set(auth)
        .send({ order_number: 4712, items: [] })
        .expect(200);
      expect(res.body.order_number).toBe('4712');
    });
  });
});
