import { createProduct } from '../factories/catalogue.factory';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

describe('dbu-web /health/, /metrics/ and /api/docs', () => {
  let ctx: DbuWebContext;
  let web: WebApp;

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_health');
    web = await ctx.start();
  });

  afterAll(async () => {
    await ctx.close();
  });

  it('reports database and broker up on /health/ and /health', async () => {
    for (const path of ['/health/', '/health']) {
      const res = await web.http().get(path).expect(200);
      expect(res.body).toEqual({ status: 'ok', service: 'dbu-web', database: 'up', broker: 'up' });
    }
  });

  it('exposes dbu_products_total, refreshed at scrape time, and the email-data counter', async () => {
    await createProduct(ctx.dataSource);
    await createProduct(ctx.dataSource);
    await createProduct(ctx.dataSource, { is_deleted: true });
    const first = await web.http().get('/metrics/').expect(200);
    expect(first.headers['content-type']).toMatch(/^text\/plain/);
    expect(first.text).toMatch(/^dbu_products_total\{service="dbu-web"\} 2$/m);
    await createProduct(ctx.dataSource);
    const second = await web.http().get('/metrics').expect(200);
    expect(second.text).toMatch(/^dbu_products_total\{service="dbu-web"\} 3$/m);

    await web
      .http()
      .post('/api/email-data/')
      .set(tokenHeader(ctx.user.token))
      .send({ order_number: 'M-1', items: [{ item_no: 'NOPE', discount: '5%' }] })
      .expect(200);
    const third = await web.http().get('/metrics/').expect(200);
    expect(third.text).toMatch(/^dbu_email_data_rows_total\{outcome="skipped",service="dbu-web"\} \d+$/m);
    expect(third.text).toMatch(/^http_request_duration_seconds_count\{.*route="\/api\/email-data".*\} \d+$/m);
  });

  it('serves the OpenAPI description with every catalogue route', async () => {
    const res = await web.http().get('/api/docs/openapi.json').expect(200);
    expect(res.body.info.title).toBe('DBU catalogue API');
    expect(Object.keys(res.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/api-token-auth',
        '/api/products',
        '/api/products/{item_no}',
        '/api/products/{item_no}/history',
        '/api/categories',
        '/api/licenses',
        '/api/email-data',
      ]),
    );
    expect(res.body.paths['/api/products'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['search', 'license', 'category', 'manufacturer', 'updated_since', 'item_no', 'complete']),
    );
    const ui = await web.http().get('/api/docs').expect(200);
    expect(ui.text).toMatch(/swagger/i);
    const asset = await web.http().get('/api/docs/swagger-ui.css').expect(200);
    expect(asset.headers['content-type']).toMatch(/^text\/css/);
  });

  it("shows each operation's scope from the access policy", async () => {
    const { body } = await web.http().get('/api/docs/openapi.json').expect(200);
    expect(body.components.securitySchemes.token).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
    });
    expect(body.paths['/api/products'].get).toMatchObject({
      security: [{ token: [] }, { session: [] }],
      'x-required-scope': 'catalogue:read',
      description: expect.stringContaining('Requires the `catalogue:read` scope'),
    });
    expect(body.paths['/api/products'].post['x-required-scope']).toBe('admin');
    expect(body.paths['/api/imports'].post['x-required-scope']).toBe('imports');
    expect(body.paths['/api/imports'].post.requestBody.content['multipart/form-data'].schema.properties.file).toEqual({
      type: 'string',
      format: 'binary',
      description: expect.any(String),
    });
    expect(body.paths['/api-token-auth'].post.security).toEqual([]);
    expect(body.paths['/health'].get.security).toEqual([]);
  });
});
