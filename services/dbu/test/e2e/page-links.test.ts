import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

/**
 * Pagination links (issue 14, item 8): built on PUBLIC_BASE_URL, never on the Host or
 * X-Forwarded-Host header a caller sends — a client following `next` would otherwise send its
 * token wherever the first request's sender chose.
 */
describe('page links of dbu-web', () => {
  let ctx: DbuWebContext;
  let configured: WebApp;
  let unconfigured: WebApp;
  const auth = () => tokenHeader(ctx.admin.token);
  const hostile = { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' };

  beforeAll(async () => {
    ctx = await DbuWebContext.create('page_links');
    for (const itemNo of ['L-1', 'L-2', 'L-3']) {
      await ctx.dataSource.query(`INSERT INTO products (item_no, title) VALUES ($1, $1)`, [itemNo]);
    }
    configured = await ctx.start({ PUBLIC_BASE_URL: 'https://dbu.pjs.example/', TRUST_PROXY: '1' });
    unconfigured = await ctx.start({ TRUST_PROXY: '1' });
  });

  afterAll(async () => {
    await ctx.close();
  });

  it('builds next/previous on PUBLIC_BASE_URL whatever Host the caller sent', async () => {
    const first = await configured.http().get('/api/products/?page_size=1').set(auth()).set(hostile).expect(200);
    expect(first.body.next).toBe('https://dbu.pjs.example/api/products/?page_size=1&page=2');
    const second = await configured
      .http()
      .get('/api/products/?page_size=1&page=2')
      .set(auth())
      .set(hostile)
      .expect(200);
    expect(second.body.previous).toBe('https://dbu.pjs.example/api/products/?page_size=1');
  });

  it('falls back to the address the server answered on, never the Host header', async () => {
    const res = await unconfigured.http().get('/api/products/?page_size=1').set(auth()).set(hostile).expect(200);
    expect(res.body.next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/products\/\?page_size=1&page=2$/);
    const licenses = await unconfigured.http().get('/api/products/?page_size=2').set(auth()).set(hostile);
    expect(JSON.stringify(licenses.body)).not.toContain('evil.example');
  });
});
