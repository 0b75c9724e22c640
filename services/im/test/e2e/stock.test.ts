import { createTestUser } from '@pjs/testing';
import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { ledgerOf, line, mailBotPayload, uniqueItemNo } from '../factories/orders.factory';

describe('stock routes', () => {
  let h: ImWebHarness;

  beforeAll(async () => {
    h = await startImWeb('im_stock');
  });
  afterAll(() => h.close());

  async function itemWith(quantity: number, orderNumber?: string): Promise<string> {
    const itemNo = uniqueItemNo();
    await h
      .http()
      .post('/api/receive/')
      .set(auth(h.user))
      .send(mailBotPayload({ order_number: orderNumber, items: [line({ item_no: itemNo, quantity })] }))
      .expect(201);
    return itemNo;
  }

  const post = (path: string, body: object, headers: Record<string, string> = {}) =>
    h.http().post(path).set(auth(h.admin)).set(headers).send(body);

  describe('POST /api/add-stock/', () => {
    it('adds to the quantity and books an add movement', async () => {
      const itemNo = await itemWith(2);
      const res = await post('/api/add-stock/', { item_no: itemNo, amount: '3', reason: 'found in the back' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        item_no: itemNo,
        quantity: 5,
        movement: { type: 'add', amount: 3, balance_after: 5, actor: h.admin.username, reason: 'found in the back' },
      });
      expect(await ledgerOf(h.dataSource, itemNo)).toEqual({ quantity: 5, ledgerSum: 5, movements: 2 });
    });

    it('links the movement to an order given by its number', async () => {
      const orderNumber = `ORD-LINK-${Date.now()}`;
      const itemNo = await itemWith(1, orderNumber);
      const res = await post('/api/add-stock/', { item_no: itemNo, amount: 1, order_id: orderNumber });
      expect(res.status).toBe(200);
      expect(res.body.movement.order_id).toBe(orderNumber);
    });

    it('rejects an unknown order_id with 400 naming the field', async () => {
      const itemNo = await itemWith(1);
      const res = await post('/api/add-stock/', { item_no: itemNo, amount: 1, order_id: 'NO-SUCH-ORDER' });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('order_id');
    });

    it.each([
      [{ amount: 1 }, 'item_no'],
      [{ item_no: 'X', amount: 0 }, 'amount'],
      [{ item_no: 'X', amount: 'many' }, 'amount'],
      [{ item_no: 'X', amount: 1.5 }, 'amount'],
      [{ item_no: 'X' }, 'amount'],
      [{ item_no: 'X', amount: 2_000_000 }, 'amount'],
    ])('rejects %j with 400 naming %s', async (body, field) => {
      const res = await post('/api/add-stock/', body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('answers 404 for an unknown item', async () => {
      const res = await post('/api/add-stock/', { item_no: 'NOPE-404', amount: 1 });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('item_not_found');
    });
  });

  describe('POST /api/reduce-stock/', () => {
    it('reduces the quantity', async () => {
      const itemNo = await itemWith(5);
      const res = await post('/api/reduce-stock', { item_no: itemNo, amount: 2 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ quantity: 3, movement: { type: 'reduce', amount: -2, balance_after: 3 } });
    });

    it('answers 409 instead of going below zero and changes nothing', async () => {
      const itemNo = await itemWith(2);
      const res = await post('/api/reduce-stock/', { item_no: itemNo, amount: 3 });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('insufficient_stock');
      expect(await ledgerOf(h.dataSource, itemNo)).toEqual({ quantity: 2, ledgerSum: 2, movements: 1 });
    });

    it('lets exactly 10 of 50 concurrent reduces of 1 succeed on a quantity of 10', async () => {
      const itemNo = await itemWith(10);
      const results = await Promise.all(
        Array.from({ length: 50 }, () => post('/api/reduce-stock/', { item_no: itemNo, amount: 1 })),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 409)).toHaveLength(40);
      const balances = results.filter((r) => r.status === 200).map((r) => r.body.quantity as number);
      expect(balances.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(await ledgerOf(h.dataSource, itemNo)).toEqual({ quantity: 0, ledgerSum: 0, movements: 11 });
      const metrics = await h.http().get('/metrics/');
      expect(metrics.text).toMatch(/im_reduce_conflicts_total\{[^}]*\} ([4-9]\d|\d{3,})/);
    });

    it('answers 404 for a deleted item', async () => {
      const itemNo = await itemWith(3);
      await h.http().delete('/api/delete-item/').set(auth(h.admin)).send({ item_no: itemNo }).expect(200);
      const res = await post('/api/reduce-stock/', { item_no: itemNo, amount: 1 });
      expect(res.status).toBe(404);
    });
  });

  describe('Idempotency-Key', () => {
    it('applies a retried reduce once and answers the first result again', async () => {
      const itemNo = await itemWith(5);
      const key = `key-${itemNo}`;
      const first = await post('/api/reduce-stock/', { item_no: itemNo, amount: 2 }, { 'Idempotency-Key': key });
      const again = await post('/api/reduce-stock/', { item_no: itemNo, amount: 2 }, { 'Idempotency-Key': key });
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await ledgerOf(h.dataSource, itemNo)).toEqual({ quantity: 3, ledgerSum: 3, movements: 2 });
    });

    it('applies concurrent requests with the same key once', async () => {
      const itemNo = await itemWith(0 + 1);
      const key = `race-${itemNo}`;
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          post('/api/add-stock/', { item_no: itemNo, amount: 4 }, { 'Idempotency-Key': key }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(new Set(results.map((r) => r.body.movement.id)).size).toBe(1);
      expect(await ledgerOf(h.dataSource, itemNo)).toEqual({ quantity: 5, ledgerSum: 5, movements: 2 });
    });

    it('answers 422 when a key is reused for a different request', async () => {
      const itemNo = await itemWith(5);
      const key = `reuse-${itemNo}`;
      await post('/api/add-stock/', { item_no: itemNo, amount: 1 }, { 'Idempotency-Key': key }).expect(200);
      const res = await post('/api/add-stock/', { item_no: itemNo, amount: 2 }, { 'Idempotency-Key': key });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('idempotency_key_reused');
    });

    it('scopes keys to the route and the caller', async () => {
      const itemNo = await itemWith(5);
      const key = `scope-${itemNo}`;
      await post('/api/add-stock/', { item_no: itemNo, amount: 1 }, { 'Idempotency-Key': key }).expect(200);
      await post('/api/reduce-stock/', { item_no: itemNo, amount: 1 }, { 'Idempotency-Key': key }).expect(200);
      const otherAdmin = await createTestUser(h.dataSource, { admin: true });
      await h
        .http()
        .post('/api/add-stock/')
        .set(auth(otherAdmin))
        .set('Idempotency-Key', key)
        .send({ item_no: itemNo, amount: 1 })
        .expect(200);
      expect(await ledgerOf(h.dataSource, itemNo)).toEqual({ quantity: 6, ledgerSum: 6, movements: 4 });
    });

    it('does not store refused requests: a 409 can be retried with the same key', async () => {
      const itemNo = await itemWith(1);
      const key = `refused-${itemNo}`;
      await post('/api/reduce-stock/', { item_no: itemNo, amount: 2 }, { 'Idempotency-Key': key }).expect(409);
      await post('/api/add-stock/', { item_no: itemNo, amount: 5 }).expect(200);
      const retry = await post('/api/reduce-stock/', { item_no: itemNo, amount: 2 }, { 'Idempotency-Key': key });
      expect(retry.status).toBe(200);
      expect(retry.body.quantity).toBe(4);
    });

    it('rejects an unusable key with 400 naming the header', async () => {
      const itemNo = await itemWith(1);
      const res = await post('/api/add-stock/', { item_no: itemNo, amount: 1 }, { 'Idempotency-Key': 'x'.repeat(201) });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      // Header names are case-insensitive; the route's header schema names it in lower case.
      expect(res.body.errors).toEqual([
        { field: 'idempotency-key', message: 'must be 1-200 visible ASCII characters' },
      ]);
    });
  });

  describe('DELETE /api/delete-item/ and POST /api/restore-item/', () => {
    it('soft-deletes: the item leaves the inventory, its history and quantity stay', async () => {
      const itemNo = await itemWith(4);
      const res = await h.http().delete('/api/delete-item/').set(auth(h.admin)).send({ item_no: itemNo });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ item_no: itemNo, quantity: 4, movement: { type: 'delete', amount: 0 } });
      const inventory = await h.http().get('/api/inventory/').query({ search: itemNo }).set(auth(h.admin));
      expect(inventory.body.count).toBe(0);
      const movements = await h.http().get(`/api/items/${itemNo}/movements/`).set(auth(h.admin));
      expect(movements.status).toBe(200);
      expect(movements.body).toMatchObject({ is_deleted: true, quantity: 4, ledger_sum: 4, count: 2 });
    });

    it('takes the item number from the query string too, and an order_id', async () => {
      const orderNumber = `ORD-DEL-${Date.now()}`;
      const itemNo = await itemWith(1, orderNumber);
      const res = await h
        .http()
        .delete('/api/delete-item')
        .query({ item_no: itemNo })
        .set(auth(h.admin))
        .send({ order_id: orderNumber });
      expect(res.status).toBe(200);
      expect(res.body.movement.order_id).toBe(orderNumber);
    });

    it('answers 404 for an unknown or already deleted item, 400 without item_no', async () => {
      const itemNo = await itemWith(1);
      await h.http().delete('/api/delete-item/').set(auth(h.admin)).send({ item_no: itemNo }).expect(200);
      await h.http().delete('/api/delete-item/').set(auth(h.admin)).send({ item_no: itemNo }).expect(404);
      await h.http().delete('/api/delete-item/').set(auth(h.admin)).send({ item_no: 'NOPE' }).expect(404);
      const missing = await h.http().delete('/api/delete-item/').set(auth(h.admin)).send({});
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0].field).toBe('item_no');
    });

    it('replays a retried delete with the same Idempotency-Key', async () => {
      const itemNo = await itemWith(1);
      const send = () =>
        h
          .http()
          .delete('/api/delete-item/')
          .set(auth(h.admin))
          .set('Idempotency-Key', `del-${itemNo}`)
          .send({ item_no: itemNo });
      const first = await send();
      const again = await send();
      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
    });

    it('restores a deleted item; 409 when it is not deleted', async () => {
      const itemNo = await itemWith(2);
      await post('/api/restore-item/', { item_no: itemNo }).expect(409);
      await h.http().delete('/api/delete-item/').set(auth(h.admin)).send({ item_no: itemNo }).expect(200);
      const res = await post('/api/restore-item/', { item_no: itemNo });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ quantity: 2, movement: { type: 'restore', amount: 0, balance_after: 2 } });
      await post('/api/reduce-stock/', { item_no: itemNo, amount: 2 }).expect(200);
      await post('/api/restore-item/', { item_no: 'NOPE' }).expect(404);
    });
  });

  describe('permissions', () => {
    it.each([
      ['post', '/api/add-stock/'],
      ['post', '/api/reduce-stock/'],
      ['delete', '/api/delete-item/'],
      ['post', '/api/restore-item/'],
    ] as const)('%s %s: 401 anonymous, 403 for a non-admin', async (method, path) => {
      const itemNo = await itemWith(3);
      const anonymous = await h.http()[method](path).send({ item_no: itemNo, amount: 1 });
      expect(anonymous.status).toBe(401);
      const plain = await h.http()[method](path).set(auth(h.user)).send({ item_no: itemNo, amount: 1 });
      expect(plain.status).toBe(403);
      expect(plain.body).toMatchObject({ code: 'insufficient_scope', scope: 'stock:write' });
      expect((await ledgerOf(h.dataSource, itemNo)).quantity).toBe(3);
    });
  });

  describe('GET /api/items/{item_no}/movements/', () => {
    it('lists the ledger newest first with pagination', async () => {
      const itemNo = await itemWith(1);
      for (let i = 0; i < 3; i++) await post('/api/add-stock/', { item_no: itemNo, amount: 1 }).expect(200);
      const res = await h.http().get(`/api/items/${itemNo}/movements`).query({ page_size: 2 }).set(auth(h.admin));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ item_no: itemNo, quantity: 4, ledger_sum: 4, count: 4, page: 1, page_size: 2 });
      expect(res.body.results.map((m: { balance_after: number }) => m.balance_after)).toEqual([4, 3]);
      const page2 = await h
        .http()
        .get(`/api/items/${itemNo}/movements/`)
        .query({ page: 2, page_size: 2 })
        .set(auth(h.admin));
      expect(page2.body.results.map((m: { type: string }) => m.type)).toEqual(['add', 'receive']);
      expect(res.body.next).toMatch(new RegExp(`/api/items/${itemNo}/movements\\?page_size=2&page=2$`));
      expect(res.body.previous).toBeNull();
      expect(page2.body).toMatchObject({ next: null, previous: expect.stringMatching(/movements\/\?page_size=2$/) });
    });

    it('answers 404 for an unknown item, 400 for a bad page_size, 403 for a non-admin', async () => {
      await h.http().get('/api/items/NOPE/movements/').set(auth(h.admin)).expect(404);
      const bad = await h.http().get('/api/items/NOPE/movements/').query({ page_size: 501 }).set(auth(h.admin));
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('page_size');
      await h.http().get('/api/items/NOPE/movements/').set(auth(h.user)).expect(403);
    });
  });
});
