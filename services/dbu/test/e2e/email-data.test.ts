import { registry } from '@pjs/metrics';
import { createProduct } from '../factories/catalogue.factory';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function emailRows(outcome: 'applied' | 'skipped'): Promise<number> {
  const metric = await registry.getSingleMetric('dbu_email_data_rows_total')?.get();
  return metric?.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

describe('POST /api/email-data/ and product history (dbu-web)', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let auth: { Authorization: string };

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_email_data');
    web = await ctx.start({ BODY_LIMIT: '8kb' });
    auth = tokenHeader(ctx.user.token);
  });

  afterAll(async () => {
    await ctx.close();
  });

  const post = (body: unknown) =>
    web
      .http()
      .post('/api/email-data/')
      .set(auth)
      .send(body as object);

  it('applies percent and amount discounts and answers the counts', async () => {
    const a = await createProduct(ctx.dataSource, { title: 'A' });
    const b = await createProduct(ctx.dataSource, {
      title: 'B',
      discount_percent: '3.00',
      discount_order_number: 'OLD',
    });
    const appliedBefore = await emailRows('applied');
    const res = await post({
      order_number: 'ORD-100',
      items: [
        { item_no: a, discount: '5%' },
        { item_no: b, discount: '2,50 €' },
      ],
    }).expect(200);
    expect(res.body).toEqual({ order_number: 'ORD-100', applied: 2, skipped: 0, skipped_rows: [] });
    const [pa, pb] = (await web.http().get(`/api/products/?item_no=${a},${b}`).set(auth).expect(200)).body.results as {
      item_no: string;
      discount: unknown;
    }[];
    expect(pa.discount).toEqual({ type: 'percent', value: '5.00', order_number: 'ORD-100' });
    expect(pb.discount).toEqual({ type: 'amount', value: '2.50', order_number: 'ORD-100' });
    expect((await emailRows('applied')) - appliedBefore).toBe(2);
  });

  it('skips invalid rows, logs each with its reason and counts them', async () => {
    const ok = await createProduct(ctx.dataSource);
    const deleted = await createProduct(ctx.dataSource, { is_deleted: true });
    const skippedBefore = await emailRows('skipped');
    const res = await post({
      order_number: 4711,
      items: [
        { item_no: ok, discount: '7.5%' },
        { item_no: 'UNKNOWN-1', discount: '5%' },
        { item_no: deleted, discount: '5%' },
        { item_no: ok, discount: '1%' },
        { discount: '5%' },
        { item_no: ok },
        { item_no: ok, discount: '120%' },
        { item_no: ok, discount: 'cheap' },
        'not an object',
        { item_no: 'bad/slash', discount: '1.00' },
      ],
    }).expect(200);
    expect(res.body.order_number).toBe('4711');
    expect(res.body.applied).toBe(1);
    expect(res.body.skipped).toBe(9);
    expect(res.body.skipped_rows).toEqual([
      { index: 1, item_no: 'UNKNOWN-1', reason: 'unknown item_no' },
      { index: 2, item_no: deleted, reason: 'unknown item_no' },
      { index: 3, item_no: ok, reason: 'item_no appears twice in this order' },
      { index: 4, item_no: null, reason: 'item_no is missing or invalid' },
      { index: 5, item_no: ok, reason: 'discount is missing' },
      { index: 6, item_no: ok, reason: 'discount percentage must be at most 100' },
      { index: 7, item_no: ok, reason: 'discount amount must be a decimal number like 12.50' },
      { index: 8, item_no: null, reason: 'row is not an object' },
      { index: 9, item_no: 'bad/slash', reason: 'item_no is missing or invalid' },
    ]);
    const logged = web.logs.lines().filter((l) => l.msg === 'email-data row skipped' && l.order_number === '4711');
    expect(logged).toHaveLength(9);
    expect(logged[0]).toMatchObject({ level: 'warn', index: 1, item_no: 'UNKNOWN-1', reason: 'unknown item_no' });
    expect((await emailRows('skipped')) - skippedBefore).toBe(9);
  });

  it('changes nothing when the same order and item come again', async () => {
    const itemNo = await createProduct(ctx.dataSource);
    const body = { order_number: 'ORD-200', items: [{ item_no: itemNo, discount: '10%' }] };
    await post(body).expect(200);
    const later = await createProduct(ctx.dataSource);
    // Another order changes the discount in between; replaying ORD-200 must not undo it.
    await post({ order_number: 'ORD-201', items: [{ item_no: itemNo, discount: '3.00' }] }).expect(200);
    const updatedBefore = await ctx.dataSource.query(`SELECT updated_at FROM products WHERE item_no = $1`, [itemNo]);
    const historyBefore = await ctx.dataSource.query(`SELECT count(*)::int AS n FROM product_history`);
    const replay = await post({ ...body, items: [...body.items, { item_no: later, discount: '1%' }] }).expect(200);
    expect(replay.body).toMatchObject({
      applied: 1,
      skipped: 1,
      skipped_rows: [{ index: 0, item_no: itemNo, reason: 'already applied for this order' }],
    });
    const product = await web.http().get(`/api/products/${itemNo}/`).set(auth).expect(200);
    expect(product.body.discount).toEqual({ type: 'amount', value: '3.00', order_number: 'ORD-201' });
    const updatedAfter = await ctx.dataSource.query(`SELECT updated_at FROM products WHERE item_no = $1`, [itemNo]);
    expect(updatedAfter).toEqual(updatedBefore);
    const historyAfter = await ctx.dataSource.query(`SELECT count(*)::int AS n FROM product_history`);
    expect(historyAfter[0].n - historyBefore[0].n).toBe(2); // only `later`: discount_percent + order number
  });

  it('is safe against the same e-mail posted twice at once', async () => {
    const itemNo = await createProduct(ctx.dataSource);
    const body = { order_number: 'ORD-300', items: [{ item_no: itemNo, discount: '4%' }] };
    const [one, two] = await Promise.all([post(body), post(body)]);
    expect([one.body.applied, two.body.applied].sort()).toEqual([0, 1]);
    const rows = await ctx.dataSource.query(`SELECT count(*)::int AS n FROM product_history WHERE item_no = $1`, [
      itemNo,
    ]);
    expect(rows[0].n).toBe(2);
  });

  it.each([
    ['order_number', { items: [] }],
    ['order_number', { order_number: '   ', items: [] }],
    ['order_number', { order_number: 'x'.repeat(101), items: [] }],
    ['order_number', { order_number: { id: 1 }, items: [] }],
    ['items', { order_number: 'ORD-1' }],
    ['items', { order_number: 'ORD-1', items: 'A-1:5%' }],
  ])('answers 400 naming %s', async (field, body) => {
    const res = await post(body).expect(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('answers 413 for an oversized body and 401 anonymous', async () => {
    const items = Array.from({ length: 400 }, (_, i) => ({ item_no: `ITEM-${i}`, discount: '5%' }));
    const res = await post({ order_number: 'BIG', items }).expect(413);
    expect(res.body.code).toBe('payload_too_large');
    await web.http().post('/api/email-data/').send({ order_number: 'X', items: [] }).expect(401);
  });

  it('accepts the route without the trailing slash and for non-admin users', async () => {
    await web
      .http()
      .post('/api/email-data')
      .set(tokenHeader(ctx.user.token))
      .send({ order_number: 'ORD-EMPTY', items: [] })
      .expect(200, { order_number: 'ORD-EMPTY', applied: 0, skipped: 0, skipped_rows: [] });
  });

  describe('GET /api/products/{item_no}/history/', () => {
    it('shows an e-mailed discount with its order number as source, and as_of gives the earlier value', async () => {
      const itemNo = await createProduct(ctx.dataSource, { title: 'History probe', discount_percent: '2.00' });
      // Give the clock room so as_of can fall between the two changes.
      await sleep(20);
      await post({ order_number: 'ORD-H1', items: [{ item_no: itemNo, discount: '5%' }] }).expect(200);
      await sleep(20);
      const between = new Date().toISOString();
      await sleep(20);
      await post({ order_number: 'ORD-H2', items: [{ item_no: itemNo, discount: '1.99' }] }).expect(200);

      const res = await web.http().get(`/api/products/${itemNo}/history/`).set(auth).expect(200);
      expect(res.body).toMatchObject({ item_no: itemNo, as_of: null, count: 5, next: null, previous: null });
      expect(res.body.state).toBeUndefined();
      // Newest first: ORD-H2's three changed columns, then ORD-H1's two.
      expect(res.body.results.map((e: { field: string }) => e.field)).toEqual([
        'discount_order_number',
        'discount_amount',
        'discount_percent',
        'discount_order_number',
        'discount_percent',
      ]);
      expect(res.body.results[4]).toEqual({
        id: expect.any(Number),
        field: 'discount_percent',
        old_value: '2.00',
        new_value: '5.00',
        source: { type: 'email', ref: 'ORD-H1' },
        actor: ctx.user.username,
        changed_at: expect.stringMatching(/Z$/),
      });
      expect(res.body.results[0].source).toEqual({ type: 'email', ref: 'ORD-H2' });

      const then = await web.http().get(`/api/products/${itemNo}/history/?as_of=${between}`).set(auth).expect(200);
      expect(then.body.as_of).toBe(between);
      expect(then.body.count).toBe(2);
      expect(then.body.state).toMatchObject({
        title: 'History probe',
        discount: { type: 'percent', value: '5.00', order_number: 'ORD-H1' },
        rrp: '19.99',
        is_deleted: false,
      });
      const now = await web.http().get(`/api/products/${itemNo}/`).set(auth).expect(200);
      expect(now.body.discount).toEqual({ type: 'amount', value: '1.99', order_number: 'ORD-H2' });

      const before = await web.http().get(`/api/products/${itemNo}/history?as_of=2000-01-01`).set(auth).expect(200);
      expect(before.body).toMatchObject({ state: null, count: 0, results: [] });
    });

    it('paginates the history', async () => {
      const itemNo = await createProduct(ctx.dataSource);
      for (const [i, d] of ['1%', '2%', '3%'].entries()) {
        await post({ order_number: `ORD-P${i}`, items: [{ item_no: itemNo, discount: d }] }).expect(200);
      }
      const res = await web.http().get(`/api/products/${itemNo}/history/?page_size=2`).set(auth).expect(200);
      expect(res.body.count).toBe(6);
      expect(res.body.results).toHaveLength(2);
      expect(res.body.next).toMatch(/page=2/);
    });

    it('answers 404 for an unknown item, 400 naming a bad as_of, 401 anonymous', async () => {
      await web.http().get('/api/products/NOPE/history/').set(auth).expect(404);
      const itemNo = await createProduct(ctx.dataSource);
      const res = await web.http().get(`/api/products/${itemNo}/history/?as_of=last-week`).set(auth).expect(400);
      expect(res.body.errors[0].field).toBe('as_of');
      // Times JavaScript takes but PostgreSQL refuses once written as UTC (year 0, year +010000): were 500s.
      for (const asOf of ['0000-01-01', '0001-01-01T00:00:00%2B23:59', '9999-12-31T23:59:59.999-23:59']) {
        const far = await web.http().get(`/api/products/${itemNo}/history/?as_of=${asOf}`).set(auth).expect(400);
        expect(far.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'as_of' }] });
      }
      const size = await web.http().get(`/api/products/${itemNo}/history/?page_size=600`).set(auth).expect(400);
      expect(size.body.errors[0].field).toBe('page_size');
      await web.http().get(`/api/products/${itemNo}/history/`).expect(401);
    });
  });
});
