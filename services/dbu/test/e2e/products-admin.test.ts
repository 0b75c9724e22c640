import { createCategory, createLicense, createProduct, ean13 } from '../factories/catalogue.factory';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

interface HistoryRow {
  field: string;
  old_value: string | null;
  new_value: string | null;
  source_type: string;
  source_ref: string | null;
  actor: string | null;
}

describe('admin CRUD on /api/products (dbu-web)', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let admin: { Authorization: string };
  let categoryId: number;

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_products_admin');
    web = await ctx.start({ BODY_LIMIT: '16kb' });
    admin = tokenHeader(ctx.admin.token);
    categoryId = await createCategory(ctx.dataSource, { name: 'Statues', externalId: 'ST' });
    await createLicense(ctx.dataSource, 'Star Wars');
  });

  afterAll(async () => {
    await ctx.close();
  });

  const history = (itemNo: string): Promise<HistoryRow[]> =>
    ctx.dataSource.query(
      `SELECT field, old_value, new_value, source_type, source_ref, actor FROM product_history
        WHERE item_no = $1 ORDER BY id`,
      [itemNo],
    );

  describe('POST /api/products/', () => {
    it('creates a product, resolving names and recording the new fields with the token as source', async () => {
      const res = await web
        .http()
        .post('/api/products/')
        .set(admin)
        .send({
          item_no: 'NEW-1',
          title: 'Yoda Statue',
          ean: ean13('590123412345'),
          manufacturer: '  Sideshow   Collectibles ',
          license: 'STAR WARS',
          category: 'ST',
          purchase_price: '99.9',
          rrp: 199,
          release_date: '2025-02-28',
          weight_kg: '2.5',
          image_url: 'https://img.example.com/yoda.jpg',
          discount: '10%',
          unknown_field: 'ignored',
        })
        .expect(201);
      expect(res.body).toMatchObject({
        item_no: 'NEW-1',
        title: 'Yoda Statue',
        manufacturer: { name: 'Sideshow Collectibles' },
        license: { name: 'Star Wars' },
        category: { id: categoryId, name: 'Statues' },
        purchase_price: '99.90',
        rrp: '199.00',
        weight_kg: '2.500',
        release_date: '2025-02-28',
        discount: { type: 'percent', value: '10.00', order_number: null },
        gpsr: { complete: false, missing: expect.arrayContaining(['manufacturer_address']) },
      });
      const rows = await history('NEW-1');
      expect(rows.map((r) => r.field)).toEqual([
        'ean',
        'title',
        'manufacturer_id',
        'license_id',
        'category_id',
        'purchase_price',
        'rrp',
        'release_date',
        'weight_kg',
        'image_url',
        'discount_percent',
        'is_deleted',
      ]);
      expect(rows[1]).toEqual({
        field: 'title',
        old_value: null,
        new_value: 'Yoda Statue',
        source_type: 'api',
        source_ref: 'create-user',
        actor: ctx.admin.username,
      });
      expect(rows.find((r) => r.field === 'purchase_price')?.new_value).toBe('99.90');
    });

    it('answers 409 for an existing item number, also a deleted one', async () => {
      const existing = await createProduct(ctx.dataSource);
      const res = await web
        .http()
        .post('/api/products/')
        .set(admin)
        .send({ item_no: existing, title: 'x' })
        .expect(409);
      expect(res.body.code).toBe('product_exists');
      const deleted = await createProduct(ctx.dataSource, { is_deleted: true });
      const again = await web
        .http()
        .post('/api/products')
        .set(admin)
        .send({ item_no: deleted, title: 'x' })
        .expect(409);
      expect(again.body.message).toMatch(/deleted; PUT it to restore/);
    });

    it.each([
      ['item_no', { title: 'No number' }],
      ['item_no', { item_no: 'has/slash', title: 'x' }],
      ['item_no', { item_no: 'x'.repeat(65), title: 'x' }],
      ['title', { item_no: 'V-1' }],
      ['title', { item_no: 'V-1', title: '' }],
      ['title', { item_no: 'V-1', title: { text: 'x' } }],
      ['ean', { item_no: 'V-1', title: 'x', ean: '4006381333932' }],
      ['ean', { item_no: 'V-1', title: 'x', ean: '12345' }],
      ['purchase_price', { item_no: 'V-1', title: 'x', purchase_price: '12.345' }],
      ['purchase_price', { item_no: 'V-1', title: 'x', purchase_price: '-1' }],
      ['rrp', { item_no: 'V-1', title: 'x', rrp: 'cheap' }],
      ['rrp', { item_no: 'V-1', title: 'x', rrp: '12345678901.00' }],
      ['weight_kg', { item_no: 'V-1', title: 'x', weight_kg: '1.2345' }],
      ['release_date', { item_no: 'V-1', title: 'x', release_date: '2025-02-30' }],
      ['release_date', { item_no: 'V-1', title: 'x', release_date: '01.02.2025' }],
      // JavaScript and the date format take year 0; PostgreSQL refuses it (was a 500).
      ['release_date', { item_no: 'V-1', title: 'x', release_date: '0000-01-01' }],
      ['image_url', { item_no: 'V-1', title: 'x', image_url: 'ftp://example.com/a.jpg' }],
      ['discount', { item_no: 'V-1', title: 'x', discount: '150%' }],
      ['discount', { item_no: 'V-1', title: 'x', discount: 'lots' }],
      ['category', { item_no: 'V-1', title: 'x', category: 'No/Such/Category' }],
      ['category', { item_no: 'V-1', title: 'x', category: -3 }],
      ['manufacturer', { item_no: 'V-1', title: 'x', manufacturer: '' }],
      ['license', { item_no: 'V-1', title: 'x', license: ['a'] }],
    ])('answers 400 naming %s', async (field, body) => {
      const res = await web.http().post('/api/products/').set(admin).send(body).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      const rows = await ctx.dataSource.query(`SELECT 1 FROM products WHERE item_no = 'V-1'`);
      expect(rows).toHaveLength(0);
    });

    it('answers 400 for malformed JSON and 413 for an oversized body', async () => {
      const bad = await web.http().post('/api/products/').set(admin).type('json').send('{"item_no": ').expect(400);
      expect(bad.body).toMatchObject({ statusCode: 400, code: 'malformed_body' });
      const big = await web
        .http()
        .post('/api/products/')
        .set(admin)
        .send({ item_no: 'BIG-1', title: 'Big', description: 'x'.repeat(20_000) })
        .expect(413);
      expect(big.body.code).toBe('payload_too_large');
    });

    it('answers 401 anonymous and 403 to a non-admin', async () => {
      await web.http().post('/api/products/').send({ item_no: 'A-1', title: 'x' }).expect(401);
      const res = await web
        .http()
        .post('/api/products/')
        .set(tokenHeader(ctx.user.token))
        .send({ item_no: 'A-1', title: 'x' })
        .expect(403);
      expect(res.body).toMatchObject({ code: 'insufficient_scope', scope: 'admin' });
    });
  });

  describe('PATCH /api/products/{item_no}/', () => {
    it('changes only the fields sent and records each change', async () => {
      const itemNo = await createProduct(ctx.dataSource, { title: 'Old title', rrp: '19.99', discount_amount: '1.00' });
      const res = await web
        .http()
        .patch(`/api/products/${itemNo}/`)
        .set(admin)
        .send({ title: 'New title', rrp: '24.5', discount: null })
        .expect(200);
      expect(res.body).toMatchObject({ title: 'New title', rrp: '24.50', purchase_price: '10.00', discount: null });
      const rows = await history(itemNo);
      expect(rows).toEqual([
        expect.objectContaining({ field: 'title', old_value: 'Old title', new_value: 'New title', source_type: 'api' }),
        expect.objectContaining({ field: 'rrp', old_value: '19.99', new_value: '24.50' }),
        expect.objectContaining({ field: 'discount_amount', old_value: '1.00', new_value: null }),
      ]);
    });

    it('records nothing and keeps updated_at when nothing changes', async () => {
      const itemNo = await createProduct(ctx.dataSource, { title: 'Same', updated_at: '2024-01-01T00:00:00Z' });
      const res = await web.http().patch(`/api/products/${itemNo}`).set(admin).send({ title: 'Same' }).expect(200);
      expect(res.body.updated_at).toBe('2024-01-01T00:00:00.000000Z');
      expect(await history(itemNo)).toEqual([]);
    });

    it('answers 404 for an unknown item and 400 naming a bad field', async () => {
      await web.http().patch('/api/products/NOPE/').set(admin).send({ title: 'x' }).expect(404);
      const itemNo = await createProduct(ctx.dataSource);
      const res = await web.http().patch(`/api/products/${itemNo}/`).set(admin).send({ title: null }).expect(400);
      expect(res.body.errors[0].field).toBe('title');
      const flag = await web.http().patch(`/api/products/${itemNo}/`).set(admin).send({ is_deleted: 'no' }).expect(400);
      expect(flag.body.errors[0].field).toBe('is_deleted');
    });

    it('answers 403 to a non-admin', async () => {
      const itemNo = await createProduct(ctx.dataSource);
      await web.http().patch(`/api/products/${itemNo}/`).set(tokenHeader(ctx.user.token)).send({}).expect(403);
    });
  });

  describe('PUT /api/products/{item_no}/', () => {
    it('replaces the product, clearing omitted fields', async () => {
      const itemNo = await createProduct(ctx.dataSource, { title: 'Before', description: 'desc', rrp: '5.00' });
      const res = await web
        .http()
        .put(`/api/products/${itemNo}/`)
        .set(admin)
        .send({ title: 'After', rrp: '6' })
        .expect(200);
      expect(res.body).toMatchObject({
        title: 'After',
        description: null,
        rrp: '6.00',
        purchase_price: null,
        ean: null,
      });
      const fields = (await history(itemNo)).map((r) => r.field);
      expect(fields).toEqual(['ean', 'title', 'description', 'purchase_price', 'rrp']);
    });

    it('restores a soft-deleted product', async () => {
      const itemNo = await createProduct(ctx.dataSource, { is_deleted: true, title: 'Gone' });
      await web.http().get(`/api/products/${itemNo}/`).set(admin).expect(404);
      await web.http().put(`/api/products/${itemNo}/`).set(admin).send({ title: 'Back' }).expect(200);
      await web.http().get(`/api/products/${itemNo}/`).set(admin).expect(200);
    });

    it('answers 400 without a title, 404 for an unknown item, 403 to a non-admin', async () => {
      const itemNo = await createProduct(ctx.dataSource);
      const res = await web.http().put(`/api/products/${itemNo}/`).set(admin).send({ rrp: '1.00' }).expect(400);
      expect(res.body.errors[0].field).toBe('title');
      await web.http().put('/api/products/NOPE/').set(admin).send({ title: 'x' }).expect(404);
      await web
        .http()
        .put(`/api/products/${itemNo}/`)
        .set(tokenHeader(ctx.user.token))
        .send({ title: 'x' })
        .expect(403);
    });
  });

  describe('DELETE /api/products/{item_no}/', () => {
    it('soft-deletes: hidden from reads, kept in the table and the history', async () => {
      const itemNo = await createProduct(ctx.dataSource, { title: 'Doomed' });
      await web.http().delete(`/api/products/${itemNo}/`).set(admin).expect(204);
      await web.http().get(`/api/products/${itemNo}/`).set(admin).expect(404);
      const list = await web.http().get(`/api/products/?item_no=${itemNo}`).set(admin).expect(200);
      expect(list.body.count).toBe(0);
      const withDeleted = await web.http().get(`/api/products/?item_no=${itemNo}&include_deleted=true`).set(admin);
      expect(withDeleted.body.results[0]).toMatchObject({ item_no: itemNo, is_deleted: true });
      expect(await history(itemNo)).toEqual([
        expect.objectContaining({ field: 'is_deleted', old_value: 'false', new_value: 'true', source_type: 'api' }),
      ]);
      const hist = await web.http().get(`/api/products/${itemNo}/history/`).set(admin).expect(200);
      expect(hist.body.results[0]).toMatchObject({ field: 'is_deleted', new_value: 'true' });
    });

    it('answers 404 twice deleted or unknown, 403 to a non-admin', async () => {
      const itemNo = await createProduct(ctx.dataSource);
      await web.http().delete(`/api/products/${itemNo}`).set(tokenHeader(ctx.user.token)).expect(403);
      await web.http().delete(`/api/products/${itemNo}`).set(admin).expect(204);
      await web.http().delete(`/api/products/${itemNo}`).set(admin).expect(404);
      await web.http().delete('/api/products/NOPE').set(admin).expect(404);
    });
  });
});
