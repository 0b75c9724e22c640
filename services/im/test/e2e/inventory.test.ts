import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { line, mailBotPayload, upsertItemDetails } from '../factories/orders.factory';

describe('GET /api/inventory/', () => {
  let h: ImWebHarness;
  const prefix = `INV${Date.now().toString(36).toUpperCase()}`;
  const itemNo = (n: number) => `${prefix}-${String(n).padStart(2, '0')}`;

  beforeAll(async () => {
    h = await startImWeb('im_inventory');
    // 01: 3 × 12.50, Star Wars figure; 02: 1 × 0.10, Marvel book; 03: 0 in stock; 04: deleted; 05: hidden.
    await h
      .http()
      .post('/api/receive/')
      .set(auth(h.user))
      .send(
        mailBotPayload({
          items: [
            line({ item_no: itemNo(1), title: 'Stormtrooper', price: '12.50', quantity: 3 }),
            line({ item_no: itemNo(2), title: 'Comic', price: '0.10', quantity: 1 }),
            line({ item_no: itemNo(3), title: 'Sold out', price: '99.99', quantity: 1 }),
            line({ item_no: itemNo(4), title: 'Gone', price: '5.00', quantity: 1 }),
            line({ item_no: itemNo(5), title: 'Hidden', price: '5.00', quantity: 1 }),
          ],
        }),
      )
      .expect(201);
    await h
      .http()
      .post('/api/reduce-stock/')
      .set(auth(h.admin))
      .send({ item_no: itemNo(3), amount: 1 })
      .expect(200);
    await h
      .http()
      .delete('/api/delete-item/')
      .set(auth(h.admin))
      .send({ item_no: itemNo(4) })
      .expect(200);
    await h.dataSource.query(`UPDATE items SET is_visible = false WHERE item_no = $1`, [itemNo(5)]);
    await upsertItemDetails(h.dataSource, itemNo(1), {
      title: 'Star Wars Stormtrooper',
      license: 'Star Wars',
      category: 'Figures > Action',
      release_date: '2030-05-01',
      rrp: '19.99',
    });
    await upsertItemDetails(h.dataSource, itemNo(2), {
      license: 'Marvel',
      category: 'Books',
      release_date: '2020-01-01',
    });
  });
  afterAll(() => h.close());

  const list = (query: Record<string, string | number | boolean> = {}) =>
    h
      .http()
      .get('/api/inventory/')
      .query({ search: prefix, ...query })
      .set(auth(h.admin));

  it('lists visible, live items with details and the summed total value as a decimal string', async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 3, page: 1, page_size: 50, total_quantity: 4, total_value: '37.60' });
    expect(res.body.results.map((r: { item_no: string }) => r.item_no)).toEqual([itemNo(1), itemNo(2), itemNo(3)]);
    expect(res.body.results[0]).toMatchObject({
      item_no: itemNo(1),
      title: 'Stormtrooper',
      quantity: 3,
      unit_price: '12.50',
      value: '37.50',
      details: {
        title: 'Star Wars Stormtrooper',
        license: 'Star Wars',
        category: 'Figures > Action',
        release_date: '2030-05-01',
        rrp: '19.99',
        gpsr_complete: true,
      },
    });
    expect(res.body.results[2]).toMatchObject({ item_no: itemNo(3), quantity: 0, value: '0.00', details: null });
  });

  it('filters by license, category, stock, details and release dates', async () => {
    const items = async (query: Record<string, string | boolean>) =>
      (await list(query).expect(200)).body.results.map((r: { item_no: string }) => r.item_no);
    expect(await items({ license: 'star wars' })).toEqual([itemNo(1)]);
    expect(await items({ category: 'figures' })).toEqual([itemNo(1)]);
    expect(await items({ in_stock: 'false' })).toEqual([itemNo(3)]);
    expect(await items({ in_stock: true })).toEqual([itemNo(1), itemNo(2)]);
    expect(await items({ has_details: 'false' })).toEqual([itemNo(3)]);
    expect(await items({ release_from: '2025-01-01' })).toEqual([itemNo(1)]);
    expect(await items({ release_to: '2025-01-01' })).toEqual([itemNo(2)]);
    expect(await items({ search: 'comic' })).toEqual([itemNo(2)]);
  });

  it('paginates and orders; totals cover every page', async () => {
    const res = await list({ page: 2, page_size: 1, ordering: '-value' });
    expect(res.body).toMatchObject({ count: 3, page: 2, page_size: 1, total_value: '37.60' });
    expect(res.body.results.map((r: { item_no: string }) => r.item_no)).toEqual([itemNo(2)]);
    // The page shape of every list: links to the neighbouring pages, the query kept.
    expect(res.body.next).toMatch(/\/api\/inventory\/\?search=[^&]+&page=3&page_size=1&ordering=-value$/);
    expect(res.body.previous).toMatch(/\/api\/inventory\/\?search=[^&]+&page_size=1&ordering=-value$/);
  });

  it.each([
    [{ page: 0 }, 'page'],
    [{ page_size: 501 }, 'page_size'],
    [{ ordering: 'price; DROP TABLE items' }, 'ordering'],
    [{ in_stock: 'maybe' }, 'in_stock'],
    [{ release_from: '05/01/2030' }, 'release_from'],
    // The date format takes year 0; PostgreSQL's date does not (was a 500).
    [{ release_from: '0000-01-01' }, 'release_from'],
    [{ release_to: '0000-12-31' }, 'release_to'],
  ])('rejects %j with 400 naming %s', async (query, field) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('is admin only: 401 anonymous, 403 for a non-admin', async () => {
    await h.http().get('/api/inventory/').expect(401);
    const res = await h.http().get('/api/inventory/').set(auth(h.user));
    expect(res.status).toBe(403);
  });
});
