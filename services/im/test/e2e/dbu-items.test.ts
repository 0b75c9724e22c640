import { createServer, type Server, type Socket } from 'node:net';
import { createTestUser, createTestVhost, type TestUser, type TestVhost } from '@pjs/testing';
import request from 'supertest';
import { startRealDbu, type RealDbu } from '../integration/support/real-dbu';
import { detailsOf, seedImItems, startIm, type ImStack } from '../integration/support/sync-harness';

jest.setTimeout(90_000);

describe('POST /api/query-dbu-item/ and /api/confirm-item/ against the real DBU', () => {
  let vhost: TestVhost;
  let dbu: RealDbu;
  let im: ImStack;
  let admin: TestUser;
  let user: TestUser;

  beforeAll(async () => {
    vhost = await createTestVhost('im_dbu_items');
    dbu = await startRealDbu('dbu_items', vhost.url);
    await dbu.seed([
      {
        item_no: 'FALCON-1',
        title: 'Millennium Falcon',
        license: 'Star Wars',
        category: 'Vehicles',
        rrp: '149.99',
        release_date: '2026-10-01',
        image_url: 'http://img.example/falcon.jpg',
      },
      { item_no: 'FALCON-2', title: 'Falcon pilot figure', license: 'Star Wars', category: 'Figures', rrp: '12.00' },
      { item_no: 'XWING-1', title: 'X-Wing Fighter', license: 'Star Wars', rrp: '59.90', gpsr_complete: false },
      { item_no: 'ORDERED-1', title: 'Ordered before', rrp: '5.00' },
    ]);
    im = await startIm('dbu_items', {
      rabbitUrl: vhost.url,
      dbuUrl: dbu.url,
      dbuUser: dbu.user,
      DBU_RETRIES: '1',
      DBU_BREAKER_THRESHOLD: '3',
      DBU_BREAKER_COOLDOWN: '1s',
      BODY_LIMIT: '8kb',
    });
    admin = await createTestUser(im.dataSource, { admin: true });
    user = await createTestUser(im.dataSource);
  });

  afterAll(async () => {
    await im?.close();
    await dbu?.close();
    await vhost?.drop();
  });

  const post = (path: string, body: object, who: TestUser | null = admin) => {
    const req = request(im.http).post(path);
    if (who) void req.set('Authorization', `Token ${who.token}`);
    return req.send(body);
  };

  describe('query-dbu-item', () => {
    it('answers the DBU search hits with their details', async () => {
      const res = await post('/api/query-dbu-item/', { title: 'falcon' });
      expect(res.status).toBe(200);
      expect(res.body.count).toBe(2);
      expect(res.body.results.map((r: { item_no: string }) => r.item_no)).toEqual(['FALCON-1', 'FALCON-2']);
      expect(res.body.results[0]).toMatchObject({
        title: 'Millennium Falcon',
        license: 'Star Wars',
        category: 'Vehicles',
        rrp: '149.99',
        release_date: '2026-10-01',
        gpsr_complete: true,
        in_inventory: false,
      });
    });

    it('also answers without the trailing slash and honours limit', async () => {
      const res = await post('/api/query-dbu-item', { title: 'falcon', limit: 1 });
      expect(res.status).toBe(200);
      expect(res.body.count).toBe(2);
      expect(res.body.results).toHaveLength(1);
    });

    it('rejects anonymous callers with 401 and non-admins with 403', async () => {
      expect((await post('/api/query-dbu-item/', { title: 'falcon' }, null)).status).toBe(401);
      const res = await post('/api/query-dbu-item/', { title: 'falcon' }, user);
      expect(res.status).toBe(403);
    });

    it('rejects a missing or overlong title with 400 naming the field', async () => {
      const missing = await post('/api/query-dbu-item/', {});
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0].field).toBe('title');
      const long = await post('/api/query-dbu-item/', { title: 'x'.repeat(201) });
      expect(long.status).toBe(400);
      expect(long.body.message).toMatch(/^title: /);
      const limit = await post('/api/query-dbu-item/', { title: 'falcon', limit: 0 });
      expect(limit.body.errors[0].field).toBe('limit');
    });

    it('answers 413 to an oversized body', async () => {
      const res = await post('/api/query-dbu-item/', { title: 'x'.repeat(20_000) });
      expect(res.status).toBe(413);
    });
  });

  describe('confirm-item', () => {
    it('answers a repeat with the same Idempotency-Key with the first answer, and 422 to another product', async () => {
      const confirm = (productNo: string) =>
        request(im.http)
          .post('/api/confirm-item/')
          .set('Authorization', `Token ${admin.token}`)
          .set('Idempotency-Key', 'confirm-once')
          .send({ product_no: productNo });
      await dbu.seed([{ item_no: 'ONCE-1', title: 'Confirmed once', rrp: '1.00' }]);
      const first = await confirm('ONCE-1');
      const again = await confirm('ONCE-1');
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const reused = await confirm('XWING-1');
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
      const [{ n }] = await im.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM items WHERE item_no = 'XWING-1'`,
      );
      expect(n).toBe(0);
    });

    it('creates the item with quantity 0 and stores its DBU details (201)', async () => {
      // A photo DBU has stored for the product: IM keeps where DBU serves it.
      const sha = 'ab'.repeat(32);
      await dbu.dataSource.query(
        `INSERT INTO product_photos (item_no, source_url, sha256, path, content_type, bytes, status, attempts)
         VALUES ('FALCON-1', 'http://img.example/falcon.jpg', $1, $2, 'image/jpeg', 10, 'stored', 1)`,
        [sha, `photos/ab/${sha}.jpg`],
      );
      const res = await post('/api/confirm-item/', { product_no: 'FALCON-1' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        status: 'created',
        item_no: 'FALCON-1',
        item_created: true,
        details: {
          title: 'Millennium Falcon',
          license: 'Star Wars',
          category: 'Vehicles',
          manufacturer: 'Hasbro',
          rrp: '149.99',
          release_date: '2026-10-01',
          image_url: 'http://img.example/falcon.jpg',
          photo_urls: [`/media/photos/${sha}.jpg`],
          gpsr_complete: true,
        },
      });
      const inventory = await request(im.http)
        .get('/api/inventory/')
        .query({ search: 'FALCON-1' })
        .set('Authorization', `Token ${admin.token}`);
      expect(inventory.body.results[0].details.photo_urls).toEqual([`/media/photos/${sha}.jpg`]);
      const [item] = await im.dataSource.query(
        `SELECT i.quantity, i.is_visible, i.is_deleted, i.title,
                (SELECT count(*)::int FROM stock_movements m WHERE m.item_id = i.id) AS movements
           FROM items i WHERE item_no = 'FALCON-1'`,
      );
      expect(item).toEqual({
        quantity: 0,
        is_visible: true,
        is_deleted: false,
        title: 'Millennium Falcon',
        movements: 0,
      });

      const search = await post('/api/query-dbu-item/', { title: 'falcon' });
      expect(search.body.results.map((r: { in_inventory: boolean }) => r.in_inventory)).toEqual([true, false]);
    });

    it('refreshes the details of an item we already hold and answers 200', async () => {
      await seedImItems(im.dataSource, ['ORDERED-1']);
      await im.dataSource.query(`UPDATE items SET quantity = 0 WHERE item_no = 'ORDERED-1'`);
      const res = await post('/api/confirm-item', { product_no: 'ORDERED-1' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'updated', item_created: false, details: { rrp: '5.00' } });

      await dbu.seed([{ item_no: 'ORDERED-1', title: 'Ordered before', rrp: '6.50' }]);
      const again = await post('/api/confirm-item/', { product_no: 'ORDERED-1' });
      expect(again.status).toBe(200);
      expect((await detailsOf(im.dataSource, 'ORDERED-1'))?.rrp).toBe('6.50');
    });

    it('answers 404 when DBU has no such product, creating nothing', async () => {
      const res = await post('/api/confirm-item/', { product_no: 'NO-SUCH-PRODUCT' });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
      expect(res.body.message).toContain('NO-SUCH-PRODUCT');
      const rows = await im.dataSource.query(`SELECT 1 FROM items WHERE item_no = 'NO-SUCH-PRODUCT'`);
      expect(rows).toHaveLength(0);
    });

    it('rejects a missing or empty product_no with 400 naming the field', async () => {
      for (const body of [{}, { product_no: '' }, { product_no: ['A-1'] }]) {
        const res = await post('/api/confirm-item/', body);
        expect(res.status).toBe(400);
        expect(res.body.errors[0].field).toBe('product_no');
      }
    });

    it('rejects anonymous callers with 401 and non-admins with 403', async () => {
      expect((await post('/api/confirm-item/', { product_no: 'XWING-1' }, null)).status).toBe(401);
      expect((await post('/api/confirm-item/', { product_no: 'XWING-1' }, user)).status).toBe(403);
    });
  });

  describe('while DBU is down', () => {
    afterEach(() => dbu.proxy.restore());

    it('answers a clear 502 dbu_unavailable, then opens the circuit, and recovers when DBU is back', async () => {
      await dbu.proxy.cut();
      const res = await post('/api/confirm-item/', { product_no: 'XWING-1' });
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ statusCode: 502, code: 'dbu_unavailable' });
      expect(res.body.message).toMatch(/DBU is unavailable at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);

      const search = await post('/api/query-dbu-item/', { title: 'wing' });
      expect(search.status).toBe(502);
      expect(search.body.code).toBe('dbu_unavailable');

      // Third consecutive failure opens the circuit: callers are answered at once.
      await post('/api/confirm-item/', { product_no: 'XWING-1' });
      const open = await post('/api/confirm-item/', { product_no: 'XWING-1' });
      expect(open.status).toBe(502);
      expect(open.body.message).toMatch(/circuit open after 3 consecutive failures/);

      await dbu.proxy.restore();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const back = await post('/api/confirm-item/', { product_no: 'XWING-1' });
      expect(back.status).toBe(201);
      expect(back.body.details).toMatchObject({ title: 'X-Wing Fighter', gpsr_complete: false });
    });
  });

  describe('when DBU does not answer in time', () => {
    let blackhole: Server;
    const sockets = new Set<Socket>();
    let slow: ImStack;

    beforeAll(async () => {
      // Accepts connections and never answers: a hung DBU.
      blackhole = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
      const { port } = blackhole.address() as { port: number };
      slow = await startIm('dbu_items_slow', {
        rabbitUrl: vhost.url,
        dbuUrl: `http://127.0.0.1:${port}`,
        DBU_TOKEN: 'any-token',
        DBU_TIMEOUT: '300ms',
      });
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => blackhole.close(() => resolve()));
      await slow.close();
    });

    it('answers 504 dbu_timeout', async () => {
      const slowAdmin = await createTestUser(slow.dataSource, { admin: true });
      const res = await request(slow.http)
        .post('/api/confirm-item/')
        .set('Authorization', `Token ${slowAdmin.token}`)
        .send({ product_no: 'FALCON-1' });
      expect(res.status).toBe(504);
      expect(res.body).toMatchObject({ code: 'dbu_timeout', message: expect.stringMatching(/within 300 ms/) });
    });
  });
});
