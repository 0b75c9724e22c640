/**
 * bench/im-stock: reduce-stock throughput of IM against raw SQL, in one run on one fresh database.
 *
 * Contenders, each with the same PostgreSQL pool size and its own copy of the items:
 *   raw     — N concurrent callers run the conditional UPDATE + ledger INSERT statement over `pg`;
 *   service — N concurrent callers of StockService.change('reduce') in this process (what the
 *             controller calls: repository, TypeORM DataSource, error mapping, metrics);
 *   bare    — the HTTP floor: N keep-alive connections against bare Fastify + pg running the raw
 *             statement (bare-server.ts; no auth, validation, logs or metrics);
 *   api     — N keep-alive connections calling `POST /api/reduce-stock/` on a real im-web process
 *             (the built services/im/dist/main.js) with everything on: token auth, the access
 *             policy, compiled validation, the access log at LOG_LEVEL=info, RED metrics, helmet
 *             headers and the rate-limit gate (limits off).
 * Scenarios: `hot` (every call on one item) and `spread` (uniform over 10k items). Each contender
 * gets BENCH_DURATION_S seconds per scenario in BENCH_SLICES interleaved slices (the order rotates
 * per slice), so background load on a shared machine hits all alike; the table gives the median
 * over slices of ops/s, server CPU µs per request (HTTP contenders: user + system of the server
 * process from /proc), and p99 over all slices. Then `drain`: an item with 1000 in stock hammered
 * by N callers until each gets 409 must succeed exactly 1000 times. Oversell count: items whose
 * quantity went negative or dropped by other than their booked reduces, plus drain successes beyond
 * the stock. Finally every item's ledger must sum to its quantity.
 *
 *   pnpm build && pnpm --filter @pjs/bench im-stock
 *   env: BENCH_DURATION_S=30 BENCH_SLICES=6 BENCH_CLIENTS=32 BENCH_POOL_SIZE=10 BENCH_SPREAD_ITEMS=10000
 *        BENCH_DRAIN_STOCK=1000 BENCH_LOG_LEVEL=info BENCH_IM_NODE_ARGS=--cpu-prof
 *        BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { Client, Pool } from 'pg';
import { createDataSource, runMigrations, withDatabase } from '@pjs/database';
import { createStockService, imMigrations, InsufficientStockException, type StockService } from '@pjs/im';
import { createTestUser } from '@pjs/testing';
import {
  envList,
  envNumber,
  freePort,
  median,
  startChild,
  stopChild,
  Tally,
  waitHttp,
  type ChildProcess,
} from '../common/harness';
import { loadSlice, type LoadRequest } from '../common/load';

const settings = {
  durationS: envNumber('BENCH_DURATION_S', 30),
  slices: Math.floor(envNumber('BENCH_SLICES', 6)),
  clients: Math.floor(envNumber('BENCH_CLIENTS', 32)),
  poolSize: Math.floor(envNumber('BENCH_POOL_SIZE', 10)),
  spreadItems: Math.floor(envNumber('BENCH_SPREAD_ITEMS', 10_000)),
  drainStock: Math.floor(envNumber('BENCH_DRAIN_STOCK', 1000)),
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  imNodeArgs: envList('BENCH_IM_NODE_ARGS'),
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** The built im-web entry point of the @pjs/im package (run as deployed, not imported). */
const IM_MAIN = join(dirname(require.resolve('@pjs/im/package.json')), 'dist', 'main.js');
const BIG_STOCK = 1_000_000_000;
const CONTENDERS = ['raw', 'service', 'bare', 'api', 'api-rl'] as const;
type Contender = (typeof CONTENDERS)[number];
const WEB_CONTENDERS = ['bare', 'api', 'api-rl'] as const;
type WebContender = (typeof WEB_CONTENDERS)[number];
const isWeb = (c: Contender): c is WebContender => (WEB_CONTENDERS as readonly string[]).includes(c);
const PREFIX: Record<Contender, string> = { raw: 'RAW', service: 'SVC', bare: 'BARE', api: 'API', 'api-rl': 'APIRL' };
const SCENARIOS = ['hot', 'spread'] as const;
type Scenario = (typeof SCENARIOS)[number];

/** The statement StockRepository.apply runs for a reduce (no Idempotency-Key, order or reason). */
const RAW_REDUCE = `
  WITH changed AS (
    UPDATE items SET quantity = quantity - $1, updated_at = now()
     WHERE item_no = $2 AND NOT is_deleted AND quantity >= $1 RETURNING id, quantity
  ), booked AS (
    INSERT INTO stock_movements
      (item_id, type, amount, balance_after, order_id, actor, actor_token_id, reason, idempotency_key, request_hash,
       actor_user_id, token_prefix, request_id)
    SELECT id, 'reduce', -$1::int, quantity, NULL, 'bench-raw', NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM changed
    RETURNING id, item_id, type, amount, balance_after, actor, reason, created_at
  )
  SELECT b.id::text, b.item_id, b.type, b.amount, b.balance_after, NULL::text AS order_id, b.actor, b.reason,
         b.created_at
    FROM booked b`;

type Outcome = 'ok' | 'conflict' | 'error';
type Reduce = (itemNo: string) => Promise<Outcome>;

const log = (line: string) => process.stderr.write(`[im-stock] ${line}\n`);

/** Items with an opening `add` movement, so every ledger sums to its quantity from the start. */
async function seed(pool: Pool, prefix: string): Promise<void> {
  await pool.query(
    `WITH seeded AS (
       INSERT INTO items (item_no, title, quantity, unit_price)
       SELECT item_no, 'bench item', qty, 9.99
         FROM (SELECT $1 || '-HOT' AS item_no, $2::int AS qty
               UNION ALL SELECT $1 || '-DRAIN', $3::int
               UNION ALL SELECT $1 || '-S-' || lpad(n::text, 5, '0'), $2::int FROM generate_series(1, $4::int) AS n) s
       RETURNING id, quantity
     )
     INSERT INTO stock_movements (item_id, type, amount, balance_after, actor, reason)
     SELECT id, 'add', quantity, quantity, 'bench-seed', 'opening stock' FROM seeded`,
    [prefix, BIG_STOCK, settings.drainStock, settings.spreadItems],
  );
}

const spreadItem = (prefix: string) => () =>
  `${prefix}-S-${String(1 + Math.floor(Math.random() * settings.spreadItems)).padStart(5, '0')}`;
const pickers: Record<Scenario, (prefix: string) => () => string> = {
  hot: (prefix) => () => `${prefix}-HOT`,
  spread: spreadItem,
};

function rawReducer(pool: Pool): Reduce {
  return async (itemNo) => {
    try {
      const result = await pool.query(RAW_REDUCE, [1, itemNo]);
      return result.rowCount === 1 ? 'ok' : 'conflict';
    } catch {
      return 'error';
    }
  };
}

function serviceReducer(stock: StockService): Reduce {
  const actor = { name: 'bench-service', tokenId: null };
  return async (itemNo) => {
    try {
      await stock.change('reduce', { itemNo, amount: 1 }, actor);
      return 'ok';
    } catch (err) {
      return err instanceof InsufficientStockException ? 'conflict' : 'error';
    }
  };
}

/** One reduce over HTTP, for the drain (every caller waits for its answer before the next). */
function httpReducer(port: number, token: string): { reduce: Reduce; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: settings.clients });
  const reduce: Reduce = (itemNo) =>
    new Promise((resolve) => {
      const body = JSON.stringify({ item_no: itemNo, amount: 1 });
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/reduce-stock/',
          method: 'POST',
          agent,
          headers: {
            Authorization: `Token ${token}`,
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200 ? 'ok' : res.statusCode === 409 ? 'conflict' : 'error'));
        },
      );
      req.on('error', () => resolve('error'));
      req.end(body);
    });
  return { reduce, close: () => agent.destroy() };
}

/**
 * N in-process callers, each reducing back to back until the deadline (or, for drain, until it
 * gets a 409). Latencies go into the tally; `ok` counts successes.
 */
async function drive(
  reduce: Reduce,
  pick: () => string,
  until: { deadline?: number; drain?: boolean },
  tally = new Tally(),
): Promise<Tally & { ok: number }> {
  const started = performance.now();
  let ok = 0;
  const caller = async () => {
    for (;;) {
      if (until.deadline && Date.now() >= until.deadline) return;
      const t0 = performance.now();
      const outcome = await reduce(pick());
      tally.add(performance.now() - t0);
      tally.requests += 1;
      if (outcome === 'ok') ok += 1;
      else if (outcome === 'conflict') {
        tally.non2xx += 1;
        if (until.drain) return;
      } else if (++tally.errors > 1000) throw new Error('too many errors');
    }
  };
  await Promise.all(Array.from({ length: settings.clients }, caller));
  tally.seconds += (performance.now() - started) / 1000;
  return Object.assign(tally, { ok });
}

interface WebServer {
  child: ChildProcess;
  base: string;
  port: number;
}

/** im-web (built) or the bare Fastify baseline, on a free port, answering /health. */
async function startWebServer(contender: WebContender, databaseUrl: string): Promise<WebServer> {
  const port = await freePort();
  const args =
    contender === 'bare' ? ['--import', 'tsx', join(__dirname, 'bare-server.ts')] : [...settings.imNodeArgs, IM_MAIN];
  const child = startChild(
    contender,
    args,
    {
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DB_POOL_SIZE: String(settings.poolSize),
      POOL_SIZE: String(settings.poolSize),
      REDUCE_SQL: RAW_REDUCE,
      LOG_LEVEL: settings.logLevel,
      // api-rl: the API rate limits on, counted in Redis as with several replicas (limits too high to refuse).
      ...(contender === 'api-rl'
        ? {
            RATE_LIMIT_PER_TOKEN: '1000000000',
            RATE_LIMIT_PER_IP: '1000000000',
            REDIS_URL: settings.redisUrl,
            REDIS_KEY_PREFIX: `bench${randomBytes(3).toString('hex')}`,
          }
        : { RATE_LIMIT_PER_TOKEN: '0', RATE_LIMIT_PER_IP: '0' }),
    },
    join(__dirname, '..'),
  );
  const base = `http://127.0.0.1:${port}`;
  await waitHttp(`${base}/health`, child, contender);
  return { child, base, port };
}

interface Measured {
  rps: number[];
  cpuUs: number[];
  all: Tally;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function main(): Promise<void> {
  if (!existsSync(IM_MAIN)) throw new Error(`${IM_MAIN} is missing: run \`pnpm build\` first`);
  const dbName = `bench_im_stock_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: settings.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const databaseUrl = withDatabase(settings.postgresUrl, dbName);
  const pool = new Pool({ connectionString: databaseUrl, max: settings.poolSize });
  pool.on('error', () => undefined); // idle connections closed by DROP DATABASE at the end
  const dataSource = createDataSource({ url: databaseUrl, poolSize: settings.poolSize, migrations: imMigrations });
  const servers: Partial<Record<WebContender, WebServer>> = {};
  const drainClients: { close(): void }[] = [];
  let closeStock: (() => Promise<void>) | undefined;
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    const { token } = await createTestUser(dataSource, { admin: true, username: 'bench-admin' });
    for (const c of CONTENDERS) await seed(pool, PREFIX[c]);
    await pool.query('VACUUM ANALYZE');
    const standalone = await createStockService(dataSource);
    closeStock = standalone.close;
    for (const c of WEB_CONTENDERS) servers[c] = await startWebServer(c, databaseUrl);

    const inProcess: Record<'raw' | 'service', Reduce> = {
      raw: rawReducer(pool),
      service: serviceReducer(standalone.stock),
    };
    const headers = { authorization: `Token ${token}`, 'content-type': 'application/json' };
    const httpLoad = (c: WebContender, scenario: Scenario): LoadRequest[] => {
      const pick = pickers[scenario](PREFIX[c]);
      return [
        {
          method: 'POST',
          path: '/api/reduce-stock/',
          headers,
          body:
            scenario === 'hot'
              ? JSON.stringify({ item_no: pick(), amount: 1 })
              : () => JSON.stringify({ item_no: pick(), amount: 1 }),
        },
      ];
    };

    /** One slice of one contender; returns its tally (HTTP: with the server's CPU time). */
    const slice = async (c: Contender, scenario: Scenario, seconds: number): Promise<Tally> => {
      if (isWeb(c)) {
        const server = servers[c]!;
        const tally = new Tally();
        await loadSlice(server.base, httpLoad(c, scenario), {
          connections: settings.clients,
          seconds,
          tally,
          serverPid: server.child.pid,
        });
        return tally;
      }
      return drive(inProcess[c], pickers[scenario](PREFIX[c]), { deadline: Date.now() + seconds * 1000 });
    };

    // Warm-up (JIT, connections, token cache, plans); not measured.
    for (const scenario of SCENARIOS) for (const c of CONTENDERS) await slice(c, scenario, 2);

    const sliceS = Math.max(1, Math.round(settings.durationS / settings.slices));
    const results = {} as Record<Scenario, Record<Contender, Measured>>;
    for (const scenario of SCENARIOS) {
      const measured = Object.fromEntries(
        CONTENDERS.map((c) => [c, { rps: [], cpuUs: [], all: new Tally() }]),
      ) as unknown as Record<Contender, Measured>;
      for (let s = 0; s < settings.slices; s++) {
        // Rotate the order so no contender always runs first or last.
        const order = CONTENDERS.map((_, i) => CONTENDERS[(i + s) % CONTENDERS.length]);
        for (const c of order) {
          const tally = await slice(c, scenario, sliceS);
          if (tally.non2xx || tally.errors) log(`${scenario}/${c}: ${tally.non2xx} non-2xx, ${tally.errors} errors`);
          const m = measured[c];
          m.rps.push((tally.requests - tally.non2xx) / tally.seconds);
          m.cpuUs.push(isWeb(c) ? tally.cpuPerRequestUs : NaN);
          m.all.merge(tally);
        }
        log(`${scenario}: slice ${s + 1}/${settings.slices}`);
      }
      results[scenario] = measured;
    }

    // Drain: every contender's DRAIN item must give exactly its stock, never more.
    const drainReducers: Record<Contender, Reduce> = {
      ...inProcess,
      bare: (() => {
        const c = httpReducer(servers.bare!.port, token);
        drainClients.push(c);
        return c.reduce;
      })(),
      api: (() => {
        const c = httpReducer(servers.api!.port, token);
        drainClients.push(c);
        return c.reduce;
      })(),
      'api-rl': (() => {
        const c = httpReducer(servers['api-rl']!.port, token);
        drainClients.push(c);
        return c.reduce;
      })(),
    };
    const drained = {} as Record<Contender, number>;
    for (const c of CONTENDERS) {
      const itemNo = `${PREFIX[c]}-DRAIN`;
      drained[c] = (await drive(drainReducers[c], () => itemNo, { drain: true })).ok;
    }

    // Oversell: a negative quantity, or a quantity that is not opening stock − booked reduces.
    const { rows: books } = await pool.query<{ prefix: string; bad: string; negative: string }>(
      `SELECT split_part(i.item_no, '-', 1) AS prefix,
              count(*) FILTER (WHERE i.quantity <> m.opening + m.reduced)::text AS bad,
              count(*) FILTER (WHERE i.quantity < 0)::text AS negative
         FROM items i
         JOIN LATERAL (SELECT coalesce(sum(amount) FILTER (WHERE type = 'add'), 0) AS opening,
                              coalesce(sum(amount) FILTER (WHERE type = 'reduce'), 0) AS reduced
                         FROM stock_movements WHERE item_id = i.id) m ON true
        GROUP BY 1`,
    );
    const { rows: ledger } = await pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM items i
        WHERE i.quantity <> (SELECT coalesce(sum(amount), 0) FROM stock_movements m WHERE m.item_id = i.id)`,
    );
    const { rows: drainLeft } = await pool.query<{ item_no: string; quantity: number }>(
      `SELECT item_no, quantity FROM items WHERE item_no LIKE '%-DRAIN' ORDER BY item_no`,
    );
    let oversell = 0;
    for (const row of books) oversell += Number(row.bad) + Number(row.negative);
    for (const c of CONTENDERS) oversell += Math.max(0, drained[c] - settings.drainStock);

    const out = (line: string) => process.stdout.write(`${line}\n`);
    out('');
    out(
      `im-stock: ${settings.clients} clients/connections, ${settings.slices} interleaved slices of ${sliceS} s per ` +
        `contender and scenario, pool ${settings.poolSize}, ${settings.spreadItems} spread items, ` +
        `im-web LOG_LEVEL=${settings.logLevel}; medians over slices (p99 over all slices)`,
    );
    out('');
    out(
      '| scenario | contender | reduces/s | vs raw | vs bare | server CPU µs/req | p99 ms | p99 vs bare | non-2xx | errors |',
    );
    out('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const scenario of SCENARIOS) {
      const r = results[scenario];
      const rps = (c: Contender) => median(r[c].rps);
      const p99 = (c: Contender) => r[c].all.percentile(99);
      for (const c of CONTENDERS) {
        out(
          `| ${scenario} | ${c} | ${fmt(rps(c))} | ${fmt(rps(c) / rps('raw'), 2)}x | ${fmt(rps(c) / rps('bare'), 2)}x | ` +
            `${fmt(median(r[c].cpuUs), 1)} | ${fmt(p99(c), 1)} | ${fmt(p99(c) / p99('bare'), 2)}x | ` +
            `${r[c].all.non2xx} | ${r[c].all.errors} |`,
        );
      }
    }
    out('');
    for (const scenario of SCENARIOS) {
      const r = results[scenario];
      const ratio = median(r.api.rps) / median(r.bare.rps);
      const goal = scenario === 'hot' ? 0.9 : 0.85;
      out(
        `${scenario}: api/bare ${ratio.toFixed(2)}x (goal ≥ ${goal}x: ${ratio >= goal ? 'met' : 'missed'}), ` +
          `server CPU api ${fmt(median(r.api.cpuUs), 1)} µs vs bare ${fmt(median(r.bare.cpuUs), 1)} µs per request, ` +
          `p99 api/bare ${fmt(r.api.all.percentile(99) / r.bare.all.percentile(99), 2)}x; ` +
          `api/bare per slice: ${r.api.rps.map((v, i) => (v / r.bare.rps[i]).toFixed(2)).join(' ')}; ` +
          `rate limits in Redis: api-rl/api ${(median(r['api-rl'].rps) / median(r.api.rps)).toFixed(2)}x, ` +
          `+${fmt(median(r['api-rl'].cpuUs) - median(r.api.cpuUs), 1)} µs server CPU per request`,
      );
    }
    out(
      `drain (${settings.drainStock} in stock): ` +
        CONTENDERS.map((c) => `${c} ${drained[c]} succeeded`).join(', ') +
        `; left ${drainLeft.map((r) => `${r.item_no}=${r.quantity}`).join(' ')}`,
    );
    out(`ledger: ${ledger[0].n} items whose movements do not sum to their quantity`);
    out(`oversell count: ${oversell}`);
    if (oversell !== 0 || ledger[0].n !== '0') process.exitCode = 1;
  } finally {
    for (const c of drainClients) c.close();
    for (const server of Object.values(servers)) await stopChild(server.child);
    await closeStock?.();
    if (dataSource.isInitialized) await dataSource.destroy();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`im-stock: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
