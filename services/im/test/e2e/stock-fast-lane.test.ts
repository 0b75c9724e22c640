import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { IpAllowlistGuard } from '@pjs/auth';
import { createTestUser, waitFor, type TestUser } from '@pjs/testing';
import { StockService } from '../../src/stock/stock.service';
import { ImWebWorld, type ImWebUnderTest } from '../factories/im-web-world.factory';
import { ledgerOf } from '../factories/orders.factory';
import { exchange, header, weakETag, type RawRequest, type RawResponse } from '../factories/raw-http';

const LANE_ITEM = (): string => `LANE-${randomBytes(4).toString('hex').toUpperCase()}`;
const ORDER = 'ORD-LANE-1';
const NUMERIC_ORDER = '424242';
const PARTNER = '203.0.113.9'; // may use the API, not admin routes
const STRANGER = '198.51.100.1'; // may use nothing
const INSIDE = '10.1.2.3';

/** Where the lane leaves a request: it answers it, or Express does (reaching the guards or not). */
type Path = 'lane' | 'guards' | 'before-guards';

interface Context {
  item: string;
  admin: TestUser;
  user: TestUser;
}

interface Case {
  /** Stock of the case's item (one per app); no item when undefined. */
  stock?: number;
  path: Path;
  steps: (ctx: Context) => RawRequest[];
}

const tokenAuth = (user: TestUser) => ({ Authorization: `Token ${user.token}` });

function post(route: string, body: unknown, ctx: Context, headers: Record<string, string> = {}): RawRequest {
  return {
    path: route,
    headers: { 'Content-Type': 'application/json', ...tokenAuth(ctx.admin), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}
const reduce = (body: unknown, ctx: Context, headers?: Record<string, string>) =>
  post('/api/reduce-stock/', body, ctx, headers);
const add = (body: unknown, ctx: Context, headers?: Record<string, string>) =>
  post('/api/add-stock/', body, ctx, headers);

const CASES: Record<string, Case> = {
  // --- answered by the lane ---
  'a reduce (Token form)': { stock: 5, path: 'lane', steps: (c) => [reduce({ item_no: c.item, amount: 2 }, c)] },
  'a reduce (Bearer form)': {
    stock: 5,
    path: 'lane',
    steps: (c) => [reduce({ item_no: c.item, amount: 1 }, c, { Authorization: `Bearer ${c.admin.token}` })],
  },
  'a reduce without the slash, lower-case scheme, from an inside proxy address': {
    stock: 5,
    path: 'lane',
    steps: (c) => [
      post('/api/reduce-stock', { item_no: c.item, amount: 5 }, c, {
        Authorization: `token ${c.admin.token}`,
        'X-Forwarded-For': INSIDE,
      }),
    ],
  },
  'an add with a string amount, padded item_no, a reason and unknown keys': {
    stock: 1,
    path: 'lane',
    steps: (c) => [add({ item_no: `  ${c.item} `, amount: ' 3', reason: 'found in the back', colour: 'red' }, c)],
  },
  'an add with an order_id': {
    stock: 1,
    path: 'lane',
    steps: (c) => [add({ item_no: c.item, amount: 1, order_id: ORDER }, c)],
  },
  'a reduce with a numeric order_id': {
    stock: 3,
    path: 'lane',
    steps: (c) => [reduce({ item_no: c.item, amount: '1', order_id: Number(NUMERIC_ORDER) }, c)],
  },
  'null order_id and reason': {
    stock: 3,
    path: 'lane',
    steps: (c) => [reduce({ item_no: c.item, amount: 1, order_id: null, reason: null }, c)],
  },
  'a chunked body': {
    stock: 3,
    path: 'lane',
    steps: (c) => [{ ...reduce({}, c), body: ['{"item_no":', JSON.stringify(c.item), ',"amount":1}'] }],
  },
  'a gzip body': {
    stock: 3,
    path: 'lane',
    steps: (c) => [
      {
        ...reduce({}, c, { 'Content-Encoding': 'gzip' }),
        body: gzipSync(JSON.stringify({ item_no: c.item, amount: 1 })),
      },
    ],
  },
  'a reduce below zero (409)': { stock: 2, path: 'lane', steps: (c) => [reduce({ item_no: c.item, amount: 3 }, c)] },
  'an unknown item (404)': { path: 'lane', steps: (c) => [reduce({ item_no: c.item, amount: 1 }, c)] },
  'an unknown order_id (400)': {
    stock: 1,
    path: 'lane',
    steps: (c) => [add({ item_no: c.item, amount: 1, order_id: 'NO-SUCH-ORDER' }, c)],
  },
  'an Idempotency-Key replay': {
    stock: 5,
    path: 'lane',
    steps: (c) => [
      reduce({ item_no: c.item, amount: 2 }, c, { 'Idempotency-Key': `replay-${c.item}` }),
      reduce({ item_no: c.item, amount: 2 }, c, { 'Idempotency-Key': `replay-${c.item}` }),
    ],
  },
  'an Idempotency-Key reused for another body (422)': {
    stock: 5,
    path: 'lane',
    steps: (c) => [
      add({ item_no: c.item, amount: 1 }, c, { 'Idempotency-Key': `reuse-${c.item}` }),
      add({ item_no: c.item, amount: 2 }, c, { 'Idempotency-Key': `reuse-${c.item}` }),
    ],
  },
  'an unusable Idempotency-Key (400)': {
    stock: 5,
    path: 'lane',
    steps: (c) => [add({ item_no: c.item, amount: 1 }, c, { 'Idempotency-Key': 'x'.repeat(201) })],
  },

  // --- handed to Express, answered after the guards ---
  'no token (401)': {
    stock: 5,
    path: 'guards',
    steps: (c) => [{ ...reduce({ item_no: c.item, amount: 1 }, c), headers: { 'Content-Type': 'application/json' } }],
  },
  'an unknown token (401)': {
    stock: 5,
    path: 'guards',
    steps: (c) => [reduce({ item_no: c.item, amount: 1 }, c, { Authorization: 'Token pjs_nope' })],
  },
  'an unknown Bearer token (401)': {
    stock: 5,
    path: 'guards',
    steps: (c) => [reduce({ item_no: c.item, amount: 1 }, c, { Authorization: 'Bearer pjs_nope' })],
  },
  'a non-admin token (403)': {
    stock: 5,
    path: 'guards',
    steps: (c) => [reduce({ item_no: c.item, amount: 1 }, c, tokenAuth(c.user))],
  },
  'a partner address on an admin route (403)': {
    stock: 5,
    path: 'guards',
    steps: (c) => [reduce({ item_no: c.item, amount: 1 }, c, { 'X-Forwarded-For': PARTNER })],
  },
  'a foreign address (403)': {
    stock: 5,
    path: 'guards',
    steps: (c) => [reduce({ item_no: c.item, amount: 1 }, c, { 'X-Forwarded-For': STRANGER })],
  },
  'a missing item_no (400)': { path: 'guards', steps: (c) => [reduce({ amount: 1 }, c)] },
  'a blank item_no (400)': { path: 'guards', steps: (c) => [reduce({ item_no: '   ', amount: 1 }, c)] },
  'a too long item_no (400)': { path: 'guards', steps: (c) => [reduce({ item_no: 'X'.repeat(65), amount: 1 }, c)] },
  'an object item_no (400)': { path: 'guards', steps: (c) => [reduce({ item_no: { no: 1 }, amount: 1 }, c)] },
  'a zero amount (400)': { path: 'guards', steps: (c) => [reduce({ item_no: c.item, amount: 0 }, c)] },
  'a word amount (400)': { path: 'guards', steps: (c) => [reduce({ item_no: c.item, amount: 'many' }, c)] },
  'a fractional amount (400)': { path: 'guards', steps: (c) => [reduce({ item_no: c.item, amount: 1.5 }, c)] },
  'a missing amount (400)': { path: 'guards', steps: (c) => [add({ item_no: c.item }, c)] },
  'a too large amount (400)': { path: 'guards', steps: (c) => [add({ item_no: c.item, amount: 2_000_000 }, c)] },
  'an empty order_id (400)': {
    path: 'guards',
    steps: (c) => [add({ item_no: c.item, amount: 1, order_id: ' ' }, c)],
  },
  'a too long reason (400)': {
    path: 'guards',
    steps: (c) => [add({ item_no: c.item, amount: 1, reason: 'r'.repeat(501) }, c)],
  },
  'a numeric reason (400)': { path: 'guards', steps: (c) => [add({ item_no: c.item, amount: 1, reason: 5 }, c)] },
  'an array body (400)': { path: 'guards', steps: (c) => [reduce([{ item_no: c.item, amount: 1 }], c)] },
  'an empty body (400)': { path: 'guards', steps: (c) => [reduce('', c)] },
  'a text/plain body (400)': {
    stock: 5,
    path: 'guards',
    steps: (c) => [reduce({ item_no: c.item, amount: 1 }, c, { 'Content-Type': 'text/plain' })],
  },
  'a form body (Express parses it)': {
    stock: 5,
    path: 'guards',
    steps: (c) => [reduce(`item_no=${c.item}&amount=1`, c, { 'Content-Type': 'application/x-www-form-urlencoded' })],
  },
  'a query string': {
    stock: 5,
    path: 'guards',
    steps: (c) => [{ ...reduce({ item_no: c.item, amount: 1 }, c), path: '/api/reduce-stock/?why=1' }],
  },
  'an upper-case path': {
    stock: 5,
    path: 'guards',
    steps: (c) => [{ ...reduce({ item_no: c.item, amount: 1 }, c), path: '/API/Reduce-Stock/' }],
  },
  'an item_no of 40 emoji (longer than 64 UTF-16 units, not 64 characters)': {
    path: 'guards',
    steps: (c) => [reduce({ item_no: '\u{1F600}'.repeat(40), amount: 1 }, c)],
  },

  // --- handed to Express, refused by the body parser ---
  'a too large body (413)': {
    stock: 5,
    path: 'before-guards',
    steps: (c) => [reduce({ item_no: c.item, amount: 1, reason: 'r'.repeat(3000) }, c)],
  },
  'a too large chunked body (413)': {
    stock: 5,
    path: 'before-guards',
    steps: (c) => [{ ...reduce({}, c), body: ['{"item_no":"x","reason":"', 'r'.repeat(3000), '"}'] }],
  },
  'malformed JSON (400)': { path: 'before-guards', steps: (c) => [reduce('{"item_no": "x", amount: 1', c)] },
  'a JSON string instead of an object (400)': { path: 'before-guards', steps: (c) => [reduce('"just text"', c)] },
  'an unsupported charset (415)': {
    path: 'before-guards',
    steps: (c) => [reduce({ item_no: c.item, amount: 1 }, c, { 'Content-Type': 'application/json; charset=latin1' })],
  },
  'an unsupported content encoding (415)': {
    path: 'before-guards',
    steps: (c) => [reduce({ item_no: c.item, amount: 1 }, c, { 'Content-Encoding': 'snappy' })],
  },
};

/** The parts of an answer that must match: everything but Date, and ids/times that differ by nature. */
function comparable(res: RawResponse, item: string) {
  const body = res.body
    .split(item)
    .join('ITEM')
    .replace(/"id":"\d+"/g, '"id":"ID"')
    .replace(/"created_at":"[^"]+"/g, '"created_at":"TIME"');
  const headers = res.headers
    .filter(([name]) => name !== 'Date')
    .map(([name, value]) => [name, name === 'ETag' || name === 'Content-Length' ? '(checked)' : value]);
  return { status: res.status, statusMessage: res.statusMessage, headers, body };
}

/** ETag and Content-Length must be what Express computes for the body actually sent. */
function expectConsistent(res: RawResponse): void {
  expect(header(res, 'Content-Length')).toBe(String(Buffer.byteLength(res.body)));
  expect(header(res, 'ETag')).toBe(weakETag(res.body));
}

/** The log lines of one request, without what differs by nature (time, duration, stack). */
async function logLinesOf(web: ImWebUnderTest, requestId: string): Promise<Record<string, unknown>[]> {
  const linesOf = () => web.logs.lines().filter((l) => l.correlation_id === requestId);
  // The access log line is written once the response is sent, maybe after the client has it.
  await waitFor(() => linesOf().some((l) => l.msg === 'request'), 5_000, 10);
  const lines = linesOf();
  return lines.map(({ time: _time, duration_ms: _duration, ...rest }) => {
    const err = rest.err as { stack?: unknown } | undefined;
    return err ? { ...rest, err: { ...err, stack: typeof err.stack } } : rest;
  });
}

describe('im-web stock fast lane', () => {
  let world: ImWebWorld;
  let lane: ImWebUnderTest;
  let plain: ImWebUnderTest;
  let guard: jest.SpyInstance;
  let caseNo = 0;

  const env = {
    LOG_LEVEL: 'http',
    TRUST_PROXY: '1',
    INTERNAL_ALLOWED_IPS: `127.0.0.1,10.0.0.0/8,203.0.113.0/24`,
    ADMIN_ALLOWED_IPS: '127.0.0.1,10.0.0.0/8',
    BODY_LIMIT: '2kb',
    AUTH_TOKEN_CACHE_TTL: '0',
    RATE_LIMIT_PER_TOKEN: '100000',
    RATE_LIMIT_PER_IP: '100000',
  };

  beforeAll(async () => {
    world = await ImWebWorld.create('im_fast_lane');
    lane = await world.start(env, { fastLane: true });
    plain = await world.start(env, { fastLane: false });
    await world.dataSource.query(`INSERT INTO orders (order_number) VALUES ($1), ($2)`, [ORDER, NUMERIC_ORDER]);
    guard = jest.spyOn(IpAllowlistGuard.prototype, 'canActivate');
  });

  afterAll(async () => {
    guard.mockRestore();
    await world.close();
  });

  async function seedItem(itemNo: string, quantity: number): Promise<void> {
    await world.dataSource.query(
      `WITH i AS (
         INSERT INTO items (item_no, title, quantity, unit_price) VALUES ($1, 'Lane item', $2, 9.99)
         RETURNING id, quantity
       )
       INSERT INTO stock_movements (item_id, type, amount, balance_after, actor, reason)
       SELECT id, 'add', quantity, quantity, 'test-seed', 'opening stock' FROM i`,
      [itemNo, quantity],
    );
  }

  /** Runs the steps on one app, each with the request id `id-<step>`. */
  async function run(web: ImWebUnderTest, spec: Case, ctx: Context, id: string) {
    if (spec.stock !== undefined) await seedItem(ctx.item, spec.stock);
    const out: { res: RawResponse; guarded: boolean; logs: Record<string, unknown>[] }[] = [];
    for (const [i, step] of spec.steps(ctx).entries()) {
      const before = guard.mock.calls.length;
      const res = await exchange(web.baseUrl, { ...step, headers: { ...step.headers, 'X-Request-Id': `${id}-${i}` } });
      out.push({ res, guarded: guard.mock.calls.length > before, logs: await logLinesOf(web, `${id}-${i}`) });
    }
    return out;
  }

  it.each(Object.entries(CASES))('answers %s exactly as Express does', async (_name, spec) => {
    const id = `lane-case-${++caseNo}`;
    const viaLane = { item: LANE_ITEM(), admin: world.admin, user: world.user };
    const viaExpress = { ...viaLane, item: LANE_ITEM() };
    const fast = await run(lane, spec, viaLane, id);
    const slow = await run(plain, spec, viaExpress, id);
    for (const [i, step] of fast.entries()) {
      expect(comparable(step.res, viaLane.item)).toEqual(comparable(slow[i].res, viaExpress.item));
      expect(header(step.res, 'X-Request-Id')).toBe(`${id}-${i}`);
      if (step.res.body) expectConsistent(step.res);
      expect(JSON.stringify(step.logs).split(viaLane.item).join('ITEM')).toBe(
        JSON.stringify(slow[i].logs).split(viaExpress.item).join('ITEM'),
      );
      expect(slow[i].guarded || spec.path === 'before-guards').toBe(true);
      expect(step.guarded).toBe(spec.path === 'guards');
    }
    if (spec.stock !== undefined) {
      const [a, b] = [
        await ledgerOf(world.dataSource, viaLane.item),
        await ledgerOf(world.dataSource, viaExpress.item),
      ];
      expect(a).toEqual(b);
      expect(a.quantity).toBe(a.ledgerSum);
    }
  });

  it('makes a request id when none (or an unsafe one) is given, as Express does', async () => {
    const item = LANE_ITEM();
    await seedItem(item, 10);
    const ctx = { item, admin: world.admin, user: world.user };
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const web of [lane, plain]) {
      const made = await exchange(web.baseUrl, reduce({ item_no: item, amount: 1 }, ctx));
      expect(header(made, 'X-Request-Id')).toMatch(uuid);
      const unsafe = await exchange(web.baseUrl, reduce({ item_no: item, amount: 99 }, ctx, { 'X-Request-Id': 'a b' }));
      expect(unsafe.status).toBe(409);
      expect(header(unsafe, 'X-Request-Id')).toMatch(uuid);
      expect(JSON.parse(unsafe.body).request_id).toBe(header(unsafe, 'X-Request-Id'));
    }
  });

  it('answers an unexpected failure with the filter’s 500 and its log line', async () => {
    const item = LANE_ITEM();
    await seedItem(item, 10);
    const ctx = { item, admin: world.admin, user: world.user };
    const change = jest.spyOn(StockService.prototype, 'change').mockRejectedValue(new Error('database on fire'));
    try {
      const answers = [];
      for (const web of [lane, plain]) {
        const res = await exchange(
          web.baseUrl,
          reduce({ item_no: item, amount: 1 }, ctx, { 'X-Request-Id': 'boom-1' }),
        );
        answers.push({ res: comparable(res, item), logs: await logLinesOf(web, 'boom-1') });
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0].res.status).toBe(500);
      expect(answers[0].logs.map((l) => [l.level, l.msg])).toEqual([
        ['error', 'unhandled error'],
        ['error', 'request'],
      ]);
    } finally {
      change.mockRestore();
    }
  });

  it('counts served requests in the RED histogram under the route template Express records', async () => {
    const item = LANE_ITEM();
    await seedItem(item, 10);
    const ctx = { item, admin: world.admin, user: world.user };
    const count = async (route: string, statusClass: string): Promise<number> => {
      const text = (await exchange(lane.baseUrl, { method: 'GET', path: '/metrics/' })).body;
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
    };
    for (const [route, send] of [
      ['/api/reduce-stock', reduce],
      ['/api/add-stock', add],
    ] as const) {
      for (const web of [lane, plain]) {
        const ok = await count(route, '2xx');
        await exchange(web.baseUrl, send({ item_no: item, amount: 1 }, ctx));
        expect(await count(route, '2xx')).toBe(ok + 1);
      }
    }
    for (const web of [lane, plain]) {
      const refused = await count('/api/reduce-stock', '4xx');
      await exchange(web.baseUrl, reduce({ item_no: item, amount: 1000 }, ctx));
      expect(await count('/api/reduce-stock', '4xx')).toBe(refused + 1);
    }
  });

  it('lets exactly 10 of 50 concurrent reduces of 1 succeed on a quantity of 10', async () => {
    const item = LANE_ITEM();
    await seedItem(item, 10);
    const ctx = { item, admin: world.admin, user: world.user };
    const before = guard.mock.calls.length;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => exchange(lane.baseUrl, reduce({ item_no: item, amount: 1 }, ctx))),
    );
    expect(guard.mock.calls.length).toBe(before); // all of them went through the lane
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    const balances = results
      .filter((r) => r.status === 200)
      .map((r) => (JSON.parse(r.body) as { quantity: number }).quantity);
    expect(balances.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await ledgerOf(world.dataSource, item)).toEqual({ quantity: 0, ledgerSum: 0, movements: 11 });
  });

  it('stays out of the way with STOCK_FAST_LANE=false', async () => {
    const off = await world.start({ ...env, STOCK_FAST_LANE: 'false' });
    const item = LANE_ITEM();
    await seedItem(item, 1);
    const before = guard.mock.calls.length;
    const res = await exchange(
      off.baseUrl,
      reduce({ item_no: item, amount: 1 }, { item, admin: world.admin, user: world.user }),
    );
    expect(res.status).toBe(200);
    expect(guard.mock.calls.length).toBe(before + 1);
  });

  describe('rate limits (3 per token, 4 per address)', () => {
    let limitedLane: ImWebUnderTest;
    let limitedPlain: ImWebUnderTest;
    let admin: TestUser;

    beforeAll(async () => {
      // An hour-long window: a test straddling a window edge would see part of its count slide out.
      const limits = { ...env, RATE_LIMIT_PER_TOKEN: '3', RATE_LIMIT_PER_IP: '4', RATE_LIMIT_WINDOW: '1h' };
      limitedLane = await world.start(limits, { fastLane: true });
      limitedPlain = await world.start(limits, { fastLane: false });
      admin = await createTestUser(world.dataSource, { admin: true });
    });

    /** Retry-After counts seconds on the wall clock, so two runs may differ by one. */
    const withoutWait = (res: RawResponse, item: string) => {
      const c = comparable(res, item);
      return {
        ...c,
        headers: c.headers.map(([k, v]) => [k, k === 'Retry-After' ? 'N' : v]),
        body: c.body.replace(/try again in \d+ s/, 'try again in N s'),
      };
    };

    it('shares the token budget with Express: served, handed-over and Express requests count once each', async () => {
      const answers: ReturnType<typeof withoutWait>[][] = [];
      for (const web of [limitedLane, limitedPlain]) {
        const item = LANE_ITEM();
        await seedItem(item, 10);
        const ctx = { item, admin, user: world.user };
        const from = { 'X-Forwarded-For': '10.9.9.1', 'X-Request-Id': 'limit-token' };
        const run = [
          await exchange(web.baseUrl, reduce({ item_no: item, amount: 1 }, ctx, from)), // the lane answers
          await exchange(web.baseUrl, reduce({ item_no: item, amount: 0 }, ctx, from)), // counted, then Express
          await exchange(web.baseUrl, {
            method: 'GET',
            path: '/api/inventory/',
            headers: { ...tokenAuth(admin), ...from },
          }),
          await exchange(web.baseUrl, reduce({ item_no: item, amount: 1 }, ctx, from)),
        ];
        expect(run.map((r) => r.status)).toEqual([200, 400, 200, 429]);
        expect(Number(header(run[3], 'Retry-After'))).toBeGreaterThanOrEqual(1);
        answers.push(run.map((r) => withoutWait(r, item)));
      }
      expect(answers[0][3]).toEqual(answers[1][3]);
      expect(JSON.parse(answers[0][3].body)).toMatchObject({ code: 'rate_limited', request_id: 'limit-token' });
    });

    it('shares the address budget with Express: requests without a token count once each', async () => {
      const answers: ReturnType<typeof withoutWait>[] = [];
      for (const web of [limitedLane, limitedPlain]) {
        const item = LANE_ITEM();
        await seedItem(item, 10);
        const ctx = { item, admin, user: world.user };
        const from = { 'X-Forwarded-For': '10.9.9.2', 'X-Request-Id': 'limit-ip' };
        const request = reduce({ item_no: item, amount: 1 }, ctx, from);
        const anonymous = { ...request, headers: { 'Content-Type': 'application/json', ...from } };
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push((await exchange(web.baseUrl, anonymous)).status);
        expect(statuses).toEqual([401, 401, 401, 401]);
        const limited = await exchange(web.baseUrl, request);
        expect(limited.status).toBe(429);
        answers.push(withoutWait(limited, item));
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0].body).toContain('per address');
    });
  });
});
