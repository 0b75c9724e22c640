import { randomUUID } from 'node:crypto';
import {
  createCategory,
  createLicense,
  createManufacturer,
  createPhoto,
  createProduct,
  ean13,
} from '../factories/catalogue.factory';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

describe('GET /api/products (dbu-web)', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let auth: { Authorization: string };
  const importId = randomUUID();
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_products_read');
    web = await ctx.start();
    auth = tokenHeader(ctx.user.token);
    const ds = ctx.dataSource;
    ids.complete = await createManufacturer(ds, { name: 'Hasbro' });
    ids.incomplete = await createManufacturer(ds, { name: 'Far Away Toys', country: 'CN', email: null });
    ids.starWars = await createLicense(ds, 'Star Wars');
    ids.marvel = await createLicense(ds, 'Marvel');
    ids.toys = await createCategory(ds, { name: 'Toys', externalId: 'T1' });
    ids.figures = await createCategory(ds, { name: 'Figures', parentId: ids.toys, externalId: 'T1-F' });
    ids.books = await createCategory(ds, { name: 'Books' });
    await createProduct(ds, {
      item_no: 'SW-001',
      ean: ean13('400638133393'),
      title: 'Darth Vader Black Series Helmet',
      description: 'Electronic helmet',
      manufacturer_id: ids.complete,
      license_id: ids.starWars,
      category_id: ids.figures,
      purchase_price: '80.5',
      rrp: '149.99',
      release_date: '2024-05-04',
      weight_kg: '1.25',
      image_url: 'https://img.example.com/sw-001.jpg',
      safety_warnings: 'Not for children under 3 years.',
      discount_percent: '5',
      discount_order_number: 'ORD-1',
      last_import_id: importId,
      updated_at: '2024-01-01T00:00:00Z',
    });
    await createProduct(ds, {
      item_no: 'SW-002',
      title: 'Stormtrooper Figure',
      manufacturer_id: ids.incomplete,
      license_id: ids.starWars,
      category_id: ids.toys,
      discount_amount: '2.5',
      last_import_id: importId,
      updated_at: '2024-06-01T00:00:00Z',
    });
    await createProduct(ds, {
      item_no: 'MV-001',
      title: 'Iron Man Helmet',
      manufacturer_id: ids.complete,
      license_id: ids.marvel,
      category_id: ids.books,
      updated_at: '2024-07-01T00:00:00Z',
    });
    await createProduct(ds, { item_no: 'ZZ-DEL', title: 'Deleted Helmet', is_deleted: true });
    await createPhoto(ds, 'SW-001', {
      source_url: 'https://img.example.com/a.jpg',
      status: 'stored',
      path: 'ab/a.jpg',
    });
    await createPhoto(ds, 'SW-001', { source_url: 'https://img.example.com/b.jpg', status: 'pending' });
  });

  afterAll(async () => {
    await ctx.close();
  });

  const list = (query: string) => web.http().get(`/api/products/${query}`).set(auth);
  const itemNos = (body: { results: { item_no: string }[] }) => body.results.map((r) => r.item_no);

  it('lists active products in item_no order with the DRF page shape', async () => {
    const res = await list('').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ count: 3, next: null, previous: null, results: expect.any(Array) });
    expect(itemNos(res.body)).toEqual(['MV-001', 'SW-001', 'SW-002']);
  });

  it('answers the same without the trailing slash', async () => {
    const res = await web.http().get('/api/products').set(auth).expect(200);
    expect(res.body.count).toBe(3);
  });

  it('serialises money as strings with two decimals and the discount with its order', async () => {
    const res = await list('?item_no=SW-001,SW-002').expect(200);
    const [sw1, sw2] = res.body.results;
    expect(sw1).toMatchObject({
      item_no: 'SW-001',
      purchase_price: '80.50',
      rrp: '149.99',
      weight_kg: '1.250',
      release_date: '2024-05-04',
      discount: { type: 'percent', value: '5.00', order_number: 'ORD-1' },
      license: { id: ids.starWars, name: 'Star Wars' },
      category: { id: ids.figures, name: 'Figures', path: 'Toys/Figures', parent_id: ids.toys },
      manufacturer: { id: ids.complete, name: 'Hasbro' },
      gpsr_complete: true,
      updated_at: '2024-01-01T00:00:00.000000Z',
    });
    expect(sw2.discount).toEqual({ type: 'amount', value: '2.50', order_number: null });
    expect(sw2.gpsr_complete).toBe(false);
  });

  it('paginates with next/previous links and a stable order', async () => {
    const first = await list('?page_size=2').expect(200);
    expect(itemNos(first.body)).toEqual(['MV-001', 'SW-001']);
    expect(first.body.previous).toBeNull();
    expect(first.body.next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/products\/\?page_size=2&page=2$/);
    const nextPath = new URL(first.body.next as string).pathname + new URL(first.body.next as string).search;
    const second = await web.http().get(nextPath).set(auth).expect(200);
    expect(itemNos(second.body)).toEqual(['SW-002']);
    expect(second.body.next).toBeNull();
    expect(second.body.previous).toMatch(/\/api\/products\/\?page_size=2$/);
  });

  it('answers 404 for a page past the end', async () => {
    const res = await list('?page=9').expect(404);
    expect(res.body.code).toBe('invalid_page');
  });

  it.each([
    ['?search=helmet', ['MV-001', 'SW-001']],
    ['?search=HELMET', ['MV-001', 'SW-001']],
    ['?search=sw-00', ['SW-001', 'SW-002']],
    [`?search=${ean13('400638133393')}`, ['SW-001']],
    ['?search=MV-001', ['MV-001']],
    ['?search=  ', ['MV-001', 'SW-001', 'SW-002']],
    ['?search=100%25', []],
    ['?license=Star%20Wars', ['SW-001', 'SW-002']],
    ['?license=star%20wars', ['SW-001', 'SW-002']],
    ['?manufacturer=hasbro', ['MV-001', 'SW-001']],
    ['?category=Toys', ['SW-001', 'SW-002']],
    ['?category=Toys/Figures', ['SW-001']],
    ['?category=T1-F', ['SW-001']],
    ['?updated_since=2024-05-01', ['MV-001', 'SW-002']],
    ['?updated_since=2024-06-15T00:00:00Z', ['MV-001']],
    ['?item_no=SW-002,MV-001,NOPE', ['MV-001', 'SW-002']],
    ['?complete=true', ['MV-001', 'SW-001']],
    ['?complete=false', ['SW-002']],
    [`?changed_in_import=${importId}`, ['SW-001', 'SW-002']],
    [`?changed_in_import=${randomUUID()}`, []],
    ['?search=helmet&license=Marvel', ['MV-001']],
    ['?include_deleted=true&search=helmet', ['MV-001', 'SW-001', 'ZZ-DEL']],
    ['?unknown_param=1', ['MV-001', 'SW-001', 'SW-002']],
  ])('filters %s', async (query, expected) => {
    const res = await list(query).expect(200);
    expect(itemNos(res.body)).toEqual(expected);
    expect(res.body.count).toBe(expected.length);
  });

  it('filters by license, manufacturer and category id too', async () => {
    expect(itemNos((await list(`?license=${ids.marvel}`).expect(200)).body)).toEqual(['MV-001']);
    expect(itemNos((await list(`?manufacturer=${ids.incomplete}`).expect(200)).body)).toEqual(['SW-002']);
    expect(itemNos((await list(`?category=${ids.toys}`).expect(200)).body)).toEqual(['SW-001', 'SW-002']);
  });

  it('answers a whole item_no batch on one page', async () => {
    const batch = Array.from({ length: 120 }, (_, i) => `X${i}`).concat(['SW-001']);
    const res = await list(`?item_no=${batch.join(',')}`).expect(200);
    expect(itemNos(res.body)).toEqual(['SW-001']);
  });

  it.each([
    ['page', 'page=0'],
    ['page', 'page=abc'],
    ['page_size', 'page_size=501'],
    ['page_size', 'page_size=0'],
    ['updated_since', 'updated_since=yesterday'],
    // Times JavaScript takes but PostgreSQL refuses once written as UTC (year 0, year +010000): were 500s.
    ['updated_since', 'updated_since=0000-01-01'],
    ['updated_since', 'updated_since=0001-01-01T00:00:00%2B23:59'],
    ['updated_since', 'updated_since=9999-12-31T23:59:59.999-23:59'],
    ['complete', 'complete=maybe'],
    ['changed_in_import', 'changed_in_import=not-a-uuid'],
    ['include_deleted', 'include_deleted=yes'],
    ['item_no', `item_no=${Array.from({ length: 501 }, (_, i) => `I${i}`).join(',')}`],
    ['search', `search=${'x'.repeat(201)}`],
  ])('rejects a bad %s with 400 naming the field', async (field, query) => {
    const res = await list(`?${query}`).expect(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(res.body.message).toMatch(new RegExp(`^${field}: `));
  });

  it('answers 401 without a token', async () => {
    const res = await web.http().get('/api/products/').expect(401);
    expect(res.body.code).toBe('not_authenticated');
  });

  describe('GET /api/products/{item_no}/', () => {
    it('answers the product with GPSR data, photos, category, license and discount', async () => {
      const res = await web.http().get('/api/products/SW-001/').set(auth).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({
        item_no: 'SW-001',
        title: 'Darth Vader Black Series Helmet',
        description: 'Electronic helmet',
        safety_warnings: 'Not for children under 3 years.',
        purchase_price: '80.50',
        rrp: '149.99',
        discount: { type: 'percent', value: '5.00', order_number: 'ORD-1' },
        license: { id: ids.starWars, name: 'Star Wars' },
        category: { id: ids.figures, name: 'Figures', path: 'Toys/Figures' },
        manufacturer: {
          id: ids.complete,
          name: 'Hasbro',
          address: { street: 'Hauptstr. 1', postal_code: '10115', city: 'Berlin', country: 'DE' },
          email: 'safety@example.com',
          contact_url: null,
          eu_responsible_person: null,
        },
        gpsr: { complete: true, missing: [] },
        gpsr_complete: true,
        is_deleted: false,
        last_import_id: importId,
      });
      expect(res.body.photos).toEqual([
        expect.objectContaining({ url: 'https://img.example.com/a.jpg', status: 'stored', path: 'ab/a.jpg' }),
        expect.objectContaining({ url: 'https://img.example.com/b.jpg', status: 'pending', path: null }),
      ]);
      expect(res.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    });

    it('says what GPSR data is missing', async () => {
      const res = await web.http().get('/api/products/SW-002').set(auth).expect(200);
      expect(res.body.gpsr).toEqual({ complete: false, missing: ['manufacturer_contact', 'eu_responsible_person'] });
      const bare = await createProduct(ctx.dataSource, { title: 'No maker' });
      const none = await web.http().get(`/api/products/${bare}/`).set(auth).expect(200);
      expect(none.body.gpsr).toEqual({ complete: false, missing: ['manufacturer'] });
      expect(none.body.manufacturer).toBeNull();
      expect(none.body.photos).toEqual([]);
    });

    it('answers 404 for an unknown, a deleted or an impossible item', async () => {
      for (const item of ['NOPE', 'ZZ-DEL', 'x'.repeat(100)]) {
        const res = await web.http().get(`/api/products/${item}/`).set(auth).expect(404);
        expect(res.body.code).toBe('not_found');
      }
    });

    it('answers 401 without a token', async () => {
      await web.http().get('/api/products/SW-001/').expect(401);
    });
  });
});
