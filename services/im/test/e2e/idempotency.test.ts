import type request from 'supertest';
import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { line, mailBotPayload, uniqueItemNo } from '../factories/orders.factory';

type Call = (key: string) => request.Test;

/** One write route: a call, another request under the same key, and what the route writes. */
interface WriteCase {
  route: string;
  status: number;
  setup: () => Promise<{ call: Call; other: Call; writes: () => Promise<number> }>;
}

describe('Idempotency-Key on every IM write (im-web)', () => {
  let h: ImWebHarness;

  beforeAll(async () => {
    h = await startImWeb('im_idempotency');
  });

  afterAll(async () => {
    await h.close();
  });

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await h.dataSource.query<{ n: string }[]>(sql, params))[0].n);
  const movementsOf = (itemNo: string) =>
    count(`SELECT count(*) AS n FROM stock_movements m JOIN items i ON i.id = m.item_id WHERE i.item_no = $1`, [
      itemNo,
    ]);
  const send =
    (method: 'post' | 'delete', path: string, body: object): Call =>
    (key) =>
      h.http()[method](path).set(auth(h.admin)).set('Idempotency-Key', key).send(body);
  async function itemWith(quantity: number): Promise<string> {
    const itemNo = uniqueItemNo();
    await h
      .http()
      .post('/api/receive/')
      .set(auth(h.admin))
      .send(mailBotPayload({ items: [line({ item_no: itemNo, quantity })] }))
      .expect(201);
    return itemNo;
  }

  const cases: WriteCase[] = [
    {
      route: 'POST /api/receive/',
      status: 201,
      setup: async () => {
        const order = mailBotPayload();
        return {
          call: send('post', '/api/receive/', order),
          other: send('post', '/api/receive/', mailBotPayload()),
          writes: () => count(`SELECT count(*) AS n FROM orders`),
        };
      },
    },
    {
      route: 'POST /api/signal/',
      status: 202,
      setup: async () => ({
        call: send('post', '/api/signal/', { scope: 'missing' }),
        other: send('post', '/api/signal/', { scope: 'all' }),
        writes: () => count(`SELECT count(*) AS n FROM outbox_messages`),
      }),
    },
    ...(['add-stock', 'reduce-stock'] as const).map((op): WriteCase => ({
      route: `POST /api/${op}/`,
      status: 200,
      setup: async () => {
        const itemNo = await itemWith(10);
        return {
          call: send('post', `/api/${op}/`, { item_no: itemNo, amount: 2 }),
          other: send('post', `/api/${op}/`, { item_no: itemNo, amount: 3 }),
          writes: () => movementsOf(itemNo),
        };
      },
    })),
    {
      route: 'DELETE /api/delete-item/',
      status: 200,
      setup: async () => {
        const itemNo = await itemWith(1);
        return {
          call: send('delete', '/api/delete-item/', { item_no: itemNo }),
          other: send('delete', '/api/delete-item/', { item_no: await itemWith(1) }),
          writes: () => movementsOf(itemNo),
        };
      },
    },
    {
      route: 'POST /api/restore-item/',
      status: 200,
      setup: async () => {
        const itemNo = await itemWith(1);
        const another = await itemWith(1);
        for (const item of [itemNo, another]) {
          await h.http().delete('/api/delete-item/').set(auth(h.admin)).send({ item_no: item }).expect(200);
        }
        return {
          call: send('post', '/api/restore-item/', { item_no: itemNo }),
          other: send('post', '/api/restore-item/', { item_no: another }),
          writes: () => movementsOf(itemNo),
        };
      },
    },
  ];

  describe.each(cases)('$route', ({ route, status, setup }) => {
    it(`answers a repeat with the first answer (${status}) without writing again, and 422 to another request`, async () => {
      const { call, other, writes } = await setup();
      const key = `key-${route.replace(/\W+/g, '-')}`;
      const before = await writes();
      const first = await call(key);
      expect(first.status).toBe(status);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const wrote = await writes();
      expect(wrote).toBeGreaterThan(before);

      const again = await call(key);
      expect(again.status).toBe(status);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await writes()).toBe(wrote);

      const reused = await other(key);
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
      expect(await writes()).toBe(wrote);
    });
  });

  it('keeps the answer of a receive that found the order already there (200), not a new 201', async () => {
    const order = mailBotPayload();
    await h.http().post('/api/receive/').set(auth(h.admin)).send(order).expect(201);
    const first = await send('post', '/api/receive/', order)('exists-key');
    const again = await send('post', '/api/receive/', order)('exists-key');
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
  });

  it('documents the header on every write route in OpenAPI', async () => {
    const doc = (await h.http().get('/api/docs/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
        // Not inventory writes: sessions and accounts (libs/auth), and a DBU search that writes nothing.
        .filter(() => !/^\/(api\/)?admin\/|query-dbu-item|token/.test(path))
        .map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );
    expect(writes.length).toBeGreaterThanOrEqual(7);
    const missing = writes.filter(
      ({ op }) => !op.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'),
    );
    expect(missing.map((w) => w.route)).toEqual([]);
  });
});
