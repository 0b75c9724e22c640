import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { line, mailBotPayload } from '../factories/orders.factory';

describe('GET /api/orders/ and /api/orders/{order_number}/', () => {
  let h: ImWebHarness;
  const prefix = `ORD${Date.now().toString(36).toUpperCase()}`;

  beforeAll(async () => {
    h = await startImWeb('im_orders');
    const receive = (orderNumber: string, lines: ReturnType<typeof line>[]) =>
      h
        .http()
        .post('/api/receive/')
        .set(auth(h.user))
        .send(mailBotPayload({ order_number: orderNumber, items: lines }))
        .expect(201);
    await receive(`${prefix}-A`, [
      line({ item_no: `${prefix}-1`, title: 'Stormtrooper', price: '12.50', quantity: 3, discount: '10%' }),
      line({ item_no: `${prefix}-2`, title: 'Comic', price: '0.10', quantity: 1 }),
    ]);
    await receive(`${prefix}-B`, [line({ item_no: `${prefix}-3`, title: 'Helmet', price: '1299.00', quantity: 2 })]);
    // Two orders with `%` and `_` in their numbers: a search takes them literally.
    await receive('50%_OFF', [line({ title: 'Sale' })]);
    await receive('50XYOFF', [line({ title: 'Other' })]);
  });

  afterAll(() => h.close());

  const list = (query: Record<string, string | number> = {}) =>
    h.http().get('/api/orders/').query(query).set(auth(h.admin));

  it('lists orders newest first with their line count, pieces and net amount', async () => {
    const res = await list({ search: prefix.toLowerCase() }).expect(200);
    expect(res.body).toMatchObject({ count: 2, page: 1, page_size: 50 });
    expect(res.body.results).toEqual([
      expect.objectContaining({ order_number: `${prefix}-B`, line_count: 1, quantity: 2, net_amount: '2598.00' }),
      // 3 × 12.50 − 10 % = 33.75, plus 0.10.
      expect.objectContaining({ order_number: `${prefix}-A`, line_count: 2, quantity: 4, net_amount: '33.85' }),
    ]);
    expect(res.body.results[0]).toEqual({
      id: expect.any(Number),
      order_number: `${prefix}-B`,
      supplier: null,
      source: 'http',
      received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      line_count: 1,
      quantity: 2,
      net_amount: '2598.00',
    });
  });

  it('pages the list', async () => {
    const first = await list({ page_size: 3 }).expect(200);
    expect(first.body).toMatchObject({ count: 4, page_size: 3 });
    expect(first.body.results).toHaveLength(3);
    const second = await list({ page_size: 3, page: 2 }).expect(200);
    expect(second.body.results.map((o: { order_number: string }) => o.order_number)).toEqual([`${prefix}-A`]);
  });

  it('takes % and _ in a search literally', async () => {
    const res = await list({ search: '%_' }).expect(200);
    expect(res.body.results.map((o: { order_number: string }) => o.order_number)).toEqual(['50%_OFF']);
  });

  it('shows one order with its lines', async () => {
    const res = await h.http().get(`/api/orders/${prefix}-A/`).set(auth(h.admin)).expect(200);
    expect(res.body).toMatchObject({ order_number: `${prefix}-A`, source: 'http' });
    expect(res.body.lines).toEqual([
      expect.objectContaining({
        line_no: 1,
        item_no: `${prefix}-1`,
        title: 'Stormtrooper',
        price: '12.50',
        quantity: 3,
        discount_percent: '10.00',
        net_amount: '33.75',
      }),
      expect.objectContaining({ line_no: 2, item_no: `${prefix}-2`, net_amount: '0.10' }),
    ]);
    const encoded = await h
      .http()
      .get(`/api/orders/${encodeURIComponent('50%_OFF')}/`)
      .set(auth(h.admin));
    expect(encoded.status).toBe(200);
  });

  it('answers 404 order_not_found for an unknown number', async () => {
    const res = await h.http().get('/api/orders/NOPE-1/').set(auth(h.admin)).expect(404);
    expect(res.body.code).toBe('order_not_found');
  });

  it('refuses bad paging with 400 naming the field', async () => {
    const res = await list({ page_size: 501 }).expect(400);
    expect(JSON.stringify(res.body)).toContain('page_size');
    const search = await list({ search: 'x'.repeat(101) }).expect(400);
    expect(JSON.stringify(search.body)).toContain('search');
  });

  it('needs inventory:read: anonymous 401, a plain account 403', async () => {
    await h.http().get('/api/orders/').expect(401);
    const res = await h.http().get('/api/orders/').set(auth(h.user)).expect(403);
    expect(res.body.code).toBe('insufficient_scope');
    await h.http().get(`/api/orders/${prefix}-A/`).set(auth(h.user)).expect(403);
  });
});
