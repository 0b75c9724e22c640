import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { EventTypes } from '@pjs/contracts';
import { CORRELATION_HEADER } from '@pjs/logger';
import { connectBroker, EVENTS_EXCHANGE, type AmqpConnection } from '@pjs/messaging';
import { waitFor } from '@pjs/testing';
import { StockService } from '../../src/stock/stock.service';
import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { ledgerOf } from '../factories/orders.factory';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * What every request of im-web goes through (request id, access, validation, error bodies, access
 * log, RED metrics), shown on the hot stock routes and on the edges of the HTTP layer.
 */
describe('im-web request pipeline', () => {
  let h: ImWebHarness;

  beforeAll(async () => {
    h = await startImWeb('im_pipeline', { LOG_LEVEL: 'info', BODY_LIMIT: '2kb', TRUST_PROXY: '1' });
  });
  afterAll(() => h.close());

  async function item(quantity: number): Promise<string> {
    const itemNo = `PIPE-${randomBytes(4).toString('hex').toUpperCase()}`;
    await h.dataSource.query(
      `WITH i AS (INSERT INTO items (item_no, title, quantity) VALUES ($1, 'Pipeline item', $2) RETURNING id, quantity)
       INSERT INTO stock_movements (item_id, type, amount, balance_after, actor, reason)
       SELECT id, 'add', quantity, quantity, 'test-seed', 'opening stock' FROM i`,
      [itemNo, quantity],
    );
    return itemNo;
  }

  const reduce = (body: unknown, requestId?: string) => {
    const req = h.http().post('/api/reduce-stock/').set(auth(h.admin));
    if (requestId) void req.set('X-Request-Id', requestId);
    return typeof body === 'string' ? req.set('Content-Type', 'application/json').send(body) : req.send(body as object);
  };

  /** A POST whose body is sent in chunks, without a Content-Length. */
  function chunkedPost(path: string, chunks: string[]): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${h.baseUrl}${path}`, {
        method: 'POST',
        headers: { ...auth(h.admin), 'Content-Type': 'application/json' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  /** The access log lines of one request (written in the turn after the answer). */
  async function accessLog(requestId: string): Promise<Record<string, unknown>[]> {
    const lines = () => h.logs.lines().filter((l) => l.request_id === requestId);
    await waitFor(() => lines().some((l) => l.msg === 'request'), 5_000, 10);
    return lines();
  }

  async function histogramCount(route: string, statusClass: string): Promise<number> {
    const text = (await h.http().get('/metrics')).text;
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('http_request_duration_seconds_count{') &&
          l.includes('method="POST"') &&
          l.includes(`route="${route}"`) &&
          l.includes(`status_class="${statusClass}"`),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  }

  describe('stock changes', () => {
    it('answers a reduce with JSON, the caller’s request id and the API’s security headers', async () => {
      const itemNo = await item(5);
      const res = await reduce({ item_no: itemNo, amount: '2' }, 'reduce-ok-1');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['x-request-id']).toBe('reduce-ok-1');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.body).toEqual({
        item_no: itemNo,
        quantity: 3,
        movement: {
          id: expect.stringMatching(/^\d+$/),
          type: 'reduce',
          amount: -2,
          balance_after: 3,
          order_id: null,
          actor: h.admin.username,
          reason: null,
          created_at: expect.any(String),
        },
      });
    });

    it('takes item numbers sent as numbers and trims padded ones; drops unknown keys', async () => {
      const itemNo = await item(5);
      const padded = await h
        .http()
        .post('/api/add-stock')
        .set(auth(h.admin))
        .send({ item_no: `  ${itemNo}\t`, amount: ' 3', reason: 'found in the back', colour: 'red' });
      expect(padded.status).toBe(200);
      expect(padded.body).toMatchObject({ item_no: itemNo, quantity: 8, movement: { reason: 'found in the back' } });
      await h.dataSource.query(`INSERT INTO items (item_no, title) VALUES ('424242', 'numeric')`);
      await h.dataSource.query(`INSERT INTO orders (order_number) VALUES ('777')`);
      const numeric = await h
        .http()
        .post('/api/add-stock')
        .set(auth(h.admin))
        .send({ item_no: 424242, amount: 1, order_id: 777, reason: null });
      expect(numeric.status).toBe(200);
      expect(numeric.body).toMatchObject({ item_no: '424242', quantity: 1, movement: { order_id: '777' } });
    });

    it('writes one access log line per request, under the route template', async () => {
      const itemNo = await item(1);
      await reduce({ item_no: itemNo, amount: 1 }, 'log-ok-1').expect(200);
      await reduce({ item_no: itemNo, amount: 1 }, 'log-409-1').expect(409);
      const [ok] = await accessLog('log-ok-1');
      expect(ok).toEqual({
        timestamp: expect.any(String),
        level: 'info',
        service: 'im-web',
        process: 'web',
        msg: 'request',
        request_id: 'log-ok-1',
        method: 'POST',
        path: '/api/reduce-stock/',
        status: 200,
        duration_ms: expect.any(Number),
        client_ip: '127.0.0.1',
        route: '/api/reduce-stock',
      });
      expect(await accessLog('log-409-1')).toEqual([
        expect.objectContaining({ level: 'info', msg: 'request', status: 409, route: '/api/reduce-stock' }),
      ]);
    });

    it('counts each answer once in the RED histogram of its route template', async () => {
      const itemNo = await item(1);
      const ok = await histogramCount('/api/reduce-stock', '2xx');
      const refused = await histogramCount('/api/reduce-stock', '4xx');
      await reduce({ item_no: itemNo, amount: 1 }).expect(200);
      await h.http().post('/api/reduce-stock').set(auth(h.admin)).send({ item_no: itemNo, amount: 1 }).expect(409);
      expect(await histogramCount('/api/reduce-stock', '2xx')).toBe(ok + 1);
      expect(await histogramCount('/api/reduce-stock', '4xx')).toBe(refused + 1);
    });

    it('answers an unexpected failure with a generic 500 and logs it with the request id', async () => {
      const itemNo = await item(3);
      const change = jest.spyOn(StockService.prototype, 'change').mockRejectedValue(new Error('database on fire'));
      try {
        const res = await reduce({ item_no: itemNo, amount: 1 }, 'boom-1');
        expect(res.status).toBe(500);
        expect(res.body).toEqual({
          statusCode: 500,
          code: 'internal_error',
          message: 'Internal server error.',
          request_id: 'boom-1',
        });
        expect(JSON.stringify(res.body)).not.toContain('fire');
        const lines = await accessLog('boom-1');
        expect(lines.map((l) => [l.level, l.msg])).toEqual([
          ['error', 'unhandled error'],
          ['error', 'request'],
        ]);
      } finally {
        change.mockRestore();
      }
      expect(await ledgerOf(h.dataSource, itemNo)).toMatchObject({ quantity: 3, ledgerSum: 3 });
    });
  });

  describe('request id', () => {
    it('keeps a well-formed X-Request-Id, puts it in error bodies, and makes one otherwise', async () => {
      const itemNo = await item(1);
      const kept = await reduce({ item_no: itemNo, amount: 5 }, 'caller-id-42');
      expect(kept.status).toBe(409);
      expect(kept.headers['x-request-id']).toBe('caller-id-42');
      expect(kept.body.request_id).toBe('caller-id-42');
      const unsafe = await reduce({ item_no: itemNo, amount: 5 }, 'a b');
      expect(unsafe.headers['x-request-id']).toMatch(UUID);
      expect(unsafe.body.request_id).toBe(unsafe.headers['x-request-id']);
      const none = await reduce({ item_no: itemNo, amount: 5 });
      expect(none.headers['x-request-id']).toMatch(UUID);
    });

    describe('carried into RabbitMQ', () => {
      let broker: AmqpConnection;
      const queue = `signal-correlation-${randomBytes(3).toString('hex')}`;

      beforeAll(async () => {
        broker = await connectBroker({ url: h.vhost.url });
        await broker.channel.assertQueue(queue, { durable: false, autoDelete: true });
        await broker.channel.bindQueue(queue, EVENTS_EXCHANGE, EventTypes.syncRequested);
      });
      afterAll(() => broker?.close());

      it('publishes the im.sync.requested message of POST /api/signal/ with the request id in its headers', async () => {
        const res = await h.http().post('/api/signal/').set(auth(h.user)).set('X-Request-Id', 'signal-req-42');
        expect(res.status).toBe(202);
        type Message = Exclude<Awaited<ReturnType<AmqpConnection['channel']['get']>>, false>;
        const received: Message[] = [];
        await waitFor(async () => {
          const message = await broker.channel.get(queue, { noAck: true });
          if (message) received.push(message);
          return received.length > 0;
        }, 15_000);
        const [{ properties, content }] = received;
        expect(properties.headers?.[CORRELATION_HEADER]).toBe('signal-req-42');
        expect(properties.messageId).toBe(res.body.event_id);
        expect(JSON.parse(content.toString())).toMatchObject({
          id: res.body.event_id,
          type: EventTypes.syncRequested,
          correlation_id: 'signal-req-42',
          data: { scope: 'missing', requested_by: h.user.username },
        });
      });
    });
  });

  describe('routing', () => {
    it('matches paths case-sensitively: /API/inventory is not /api/inventory', async () => {
      const res = await h.http().get('/API/inventory').set(auth(h.admin));
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, code: 'not_found' });
      await h.http().post('/API/Reduce-Stock/').set(auth(h.admin)).send({ item_no: 'X', amount: 1 }).expect(404);
    });

    it('answers every route with and without the trailing slash', async () => {
      await h.http().get('/api/inventory').set(auth(h.admin)).expect(200);
      await h.http().get('/api/inventory/').set(auth(h.admin)).expect(200);
      await h.http().get('/health').expect(200);
      await h.http().get('/health/').expect(200);
      const itemNo = await item(2);
      await h.http().post('/api/reduce-stock').set(auth(h.admin)).send({ item_no: itemNo, amount: 1 }).expect(200);
      await h.http().post('/api/reduce-stock/').set(auth(h.admin)).send({ item_no: itemNo, amount: 1 }).expect(200);
    });

    it('ignores a query string on a route that takes none', async () => {
      const itemNo = await item(1);
      await h
        .http()
        .post('/api/reduce-stock/?why=1')
        .set(auth(h.admin))
        .send({ item_no: itemNo, amount: 1 })
        .expect(200);
    });
  });

  describe('bodies', () => {
    it('answers 413 payload_too_large to a body above BODY_LIMIT, with or without a length', async () => {
      const itemNo = await item(5);
      const big = { item_no: itemNo, amount: 1, reason: 'r'.repeat(3000) };
      const res = await reduce(big);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
      const chunked = await chunkedPost('/api/reduce-stock/', ['{"item_no":"x","reason":"', 'r'.repeat(3000), '"}']);
      expect(chunked.status).toBe(413);
      expect(JSON.parse(chunked.body)).toMatchObject({ code: 'payload_too_large' });
      expect(await ledgerOf(h.dataSource, itemNo)).toMatchObject({ quantity: 5, movements: 1 });
    });

    it('answers 400 malformed_body to JSON that does not parse', async () => {
      const res = await reduce('{"item_no": "x", amount: 1');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'malformed_body' });
    });

    it('answers 400 validation_failed naming every bad field', async () => {
      const res = await reduce({ item_no: '   ', amount: 0, reason: 5 });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual([
        { field: 'item_no', message: 'must not be empty' },
        { field: 'amount', message: 'must be at least 1' },
      ]);
      const list = await reduce([{ item_no: 'X', amount: 1 }]);
      expect(list.status).toBe(400);
      expect(list.body.errors).toEqual([{ field: 'body', message: 'must be an object' }]);
    });

    it('reads only JSON (and form) bodies: plain text is no object, other types are refused with 415', async () => {
      const send = (type: string) =>
        h.http().post('/api/reduce-stock/').set(auth(h.admin)).set('Content-Type', type).send('item_no=X&amount=1');
      const text = await send('text/plain');
      expect(text.status).toBe(400);
      expect(text.body.errors).toEqual([{ field: 'body', message: 'must be an object' }]);
      const xml = await send('application/xml');
      expect(xml.status).toBe(415);
      expect(xml.body.code).toBe('unsupported_media_type');
    });
  });
});
