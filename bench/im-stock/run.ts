/**
 * bench/im-stock: reduce-stock throughput of IM against raw SQL, in one run on one fresh database.
 *
 * Contenders, each with the same PostgreSQL pool size and its own copy of the items:
 *   raw     — N concurrent callers run the conditional UPDATE + ledger INSERT statement over `pg`;
 *   service — N concurrent callers of StockService.change('reduce') in this process (the code the
 *             controller calls: repository, TypeORM DataSource, error mapping, metrics);
 *   bare    — the HTTP floor: the same N HTTP clients against bare Fastify + pg running the raw
 *             statement (bare-server.ts; no auth, validation, logs or metrics);
 *   api     — N HTTP clients calling `POST /api/reduce-stock/` on a real im-web process (built
 *             dist/main.js: auth, validation, access log, rate-limit middleware with limits off),
 *             as deployed: the stock fast lane answers these requests in front of Express;
 *   express — the same against a second im-web process started with STOCK_FAST_LANE=false, so
 *             every request goes through Express and Nest: what the lane buys, in the same run.
 * For the HTTP contenders the table also shows im-web's CPU time per successful reduce
 * (user + system, from /proc; "n/a" elsewhere).
 * Scenarios: `hot` (every call on one item) and `spread` (uniform over 10k items). Each contender
 * gets BENCH_DURATION_S seconds per scenario, run in BENCH_SLICES alternating slices so that
 * background load on a shared machine hits all contenders alike. Then `drain`: an item with 1000
 * in stock hammered until every caller gets 409 must succeed exactly 1000 times. Oversell count:
 * items whose stock did not drop by exactly the number of successful reduces (or went negative),
 * plus drain successes beyond the stock. Finally every item's ledger must sum to its quantity.
 *
 *   pnpm build && pnpm --filter @pjs/bench im-stock
 *   env: BENCH_DURATION_S=60 BENCH_SLICES=6 BENCH_CLIENTS=32 BENCH_POOL_SIZE=10 BENCH_SPREAD_ITEMS=10000
 *        BENCH_DRAIN_STOCK=1000 BENCH_LOG_LEVEL=info BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { createDataSource } from '@pjs/database';
import { OrdersRepository } from '@pjs/im/dist/orders/orders.repository';
import { InsufficientStockException } from '@pjs/im/dist/stock/stock.exception';
import { StockRepository } from '@pjs/im/dist/stock/stock.repository';
import { StockService } from '@pjs/im/dist/stock/stock.service';

const num = (name: string, fallback: number): number => {
  const value = process.env[name];
  const n = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};

const settings = {
  durationS: num('BENCH_DURATION_S', 60),
  slices: Math.floor(num('BENCH_SLICES', 6)),
  clients: Math.floor(num('BENCH_CLIENTS', 32)),
  poolSize: Math.floor(num('BENCH_POOL_SIZE', 10)),
  spreadItems: Math.floor(num('BENCH_SPREAD_ITEMS', 10_000)),
  drainStock: Math.floor(num('BENCH_DRAIN_STOCK', 1000)),
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  imNodeArgs: (process.env.BENCH_IM_NODE_ARGS ?? '').split(' ').filter(Boolean),
};

const IM_DIST = join(__dirname, '..', '..', 'services', 'im', 'dist');
const BIG_STOCK = 1_000_000_000;
const CONTENDERS = ['raw', 'service', 'bare', 'api', 'express'] as const;
type Contender = (typeof CONTENDERS)[number];
const PREFIX: Record<Contender, string> = { raw: 'RAW', service: 'SVC', bare: 'BARE', api: 'API', express: 'EXP' };
const WEB_CONTENDERS = ['bare', 'api', 'express'] as const;
type WebContender = (typeof WEB_CONTENDERS)[number];

/** The statement StockRepository.apply runs for a reduce (no Idempotency-Key, order or reason). */
const RAW_REDUCE = `
  WITH changed AS (
    UPDATE items SET quantity = quantity - $1, updated_at = now()
     WHERE item_no = $2 AND NOT is_deleted AND quantity >= $1 RETURNING id, quantity
  ), booked AS (
    INSERT INTO stock_movements
      (item_id, type, amount, balance_after, order_id, actor, actor_token_id, reason, idempotency_key, request_hash)
    SELECT id, 'reduce', -$1::int, quantity, NULL, 'bench-raw', NULL, NULL, NULL, NULL FROM changed
    RETURNING id, item_id, type, amount, balance_after, actor, reason, created_at
  )
  SELECT b.id::text, b.item_id, b.type, b.amount, b.balance_after, NULL::text AS order_id, b.actor, b.reason,
         b.created_at
    FROM booked b`;

type Outcome = 'ok' | 'conflict' | 'error';
type Reduce = (itemNo: string) => Promise<Outcome>;

interface Result {
  opsPerS: number;
  /** im-web CPU milliseconds per successful reduce (NaN for in-process contenders). */
  serverCpuMsPerOp: number;
  oversell: number;
  errors: number;
}

interface Tally {
  ok: number;
  conflict: number;
  errors: number;
  seconds: number;
  /** CPU seconds the contender's im-web process used while driven (NaN when unknown). */
  serverCpuSeconds: number;
  perItem: Map<string, number>;
}

const newTally = (): Tally => ({ ok: 0, conflict: 0, errors: 0, seconds: 0, serverCpuSeconds: 0, perItem: new Map() });

const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

/** User + system CPU seconds of a process so far, from /proc (NaN where there is none). */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S; // utime, stime
  } catch {
    return Number.NaN;
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function imCli(databaseUrl: string, args: string[]): string {
  const result = spawnSync(process.execPath, [join(IM_DIST, 'cli.js'), ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`im ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

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

/** im-web (with or without the stock fast lane) or the bare Fastify baseline, on a free port. */
async function startWebServer(
  contender: WebContender,
  databaseUrl: string,
): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const script =
    contender === 'bare'
      ? ['--import', 'tsx', join(__dirname, 'bare-server.ts')]
      : [...settings.imNodeArgs, join(IM_DIST, 'main.js')];
  const child = spawn(process.execPath, script, {
    env: {
      ...process.env,
      STOCK_FAST_LANE: String(contender === 'api'),
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DB_POOL_SIZE: String(settings.poolSize),
      POOL_SIZE: String(settings.poolSize),
      REDUCE_SQL: RAW_REDUCE,
      LOG_LEVEL: settings.logLevel,
      RATE_LIMIT_PER_TOKEN: '0',
      RATE_LIMIT_PER_IP: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${contender} server exited with ${child.exitCode}`);
    const up = await fetch(`http://127.0.0.1:${port}/health/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { port, child };
    if (Date.now() > deadline) throw new Error(`${contender} server did not become healthy within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function apiReducer(port: number, token: string): { reduce: Reduce; close(): void } {
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

/** N callers, each calling `reduce` back to back until the deadline (or, for drain, until a 409). */
async function drive(
  reduce: Reduce,
  pick: () => string,
  until: { deadline?: number; drain?: boolean },
  tally = newTally(),
  serverPid?: number,
): Promise<Tally> {
  const started = Date.now();
  const cpuBefore = cpuSecondsOf(serverPid);
  const caller = async () => {
    for (;;) {
      if (until.deadline && Date.now() >= until.deadline) return;
      const itemNo = pick();
      const outcome = await reduce(itemNo);
      if (outcome === 'ok') {
        tally.ok++;
        tally.perItem.set(itemNo, (tally.perItem.get(itemNo) ?? 0) + 1);
      } else if (outcome === 'conflict') {
        tally.conflict++;
        if (until.drain) return;
      } else if (++tally.errors > 1000) {
        throw new Error('too many errors');
      }
    }
  };
  await Promise.all(Array.from({ length: settings.clients }, caller));
  tally.seconds += (Date.now() - started) / 1000;
  tally.serverCpuSeconds += cpuSecondsOf(serverPid) - cpuBefore;
  return tally;
}

async function snapshot(pool: Pool, prefix: string): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ item_no: string; quantity: number }>(
    `SELECT item_no, quantity FROM items WHERE item_no LIKE $1 || '-%'`,
    [prefix],
  );
  return new Map(rows.map((r) => [r.item_no, r.quantity]));
}

/** Items whose stock did not drop by exactly the successful reduces, or went negative. */
function accountingErrors(before: Map<string, number>, after: Map<string, number>, tally: Tally): number {
  let bad = 0;
  for (const [itemNo, opening] of before) {
    const left = after.get(itemNo)!;
    if (left < 0 || opening - left !== (tally.perItem.get(itemNo) ?? 0)) bad += 1;
  }
  return bad;
}

async function main(): Promise<void> {
  if (!existsSync(join(IM_DIST, 'main.js'))) throw new Error('services/im/dist is missing: run `pnpm build` first');
  const dbName = `bench_im_stock_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: settings.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const databaseUrl = withDatabase(settings.postgresUrl, dbName);
  const pool = new Pool({ connectionString: databaseUrl, max: settings.poolSize });
  pool.on('error', () => undefined); // idle connections closed by DROP DATABASE at the end
  const dataSource = createDataSource({ url: databaseUrl, poolSize: settings.poolSize });
  const servers: Partial<Record<WebContender, { child: ChildProcess; client: ReturnType<typeof apiReducer> }>> = {};
  try {
    imCli(databaseUrl, ['migrate']);
    const token = imCli(databaseUrl, ['create-user', 'bench-admin', '--admin']);
    for (const c of CONTENDERS) await seed(pool, PREFIX[c]);
    await pool.query('VACUUM ANALYZE');
    await dataSource.initialize();
    const stock = new StockRepository(dataSource);
    for (const c of WEB_CONTENDERS) {
      const web = await startWebServer(c, databaseUrl);
      servers[c] = { child: web.child, client: apiReducer(web.port, token) };
    }
    const reducers: Record<Contender, Reduce> = {
      raw: rawReducer(pool),
      service: serviceReducer(new StockService(stock, new OrdersRepository(dataSource))),
      bare: servers.bare!.client.reduce,
      api: servers.api!.client.reduce,
      express: servers.express!.client.reduce,
    };
    const serverPid = (c: Contender): number | undefined =>
      (WEB_CONTENDERS as readonly Contender[]).includes(c) ? servers[c as WebContender]?.child.pid : undefined;
    const pickSpread = (prefix: string) => () =>
      `${prefix}-S-${String(1 + Math.floor(Math.random() * settings.spreadItems)).padStart(5, '0')}`;
    const pickers = {
      hot: (prefix: string) => () => `${prefix}-HOT`,
      spread: pickSpread,
    };

    // Warm-up (JIT, connections, token cache); not measured.
    for (const c of CONTENDERS) await drive(reducers[c], pickSpread(PREFIX[c]), { deadline: Date.now() + 2000 });

    const table: Record<string, Record<Contender, Result>> = {};
    const sliceMs = (settings.durationS * 1000) / settings.slices;
    for (const scenario of ['hot', 'spread'] as const) {
      const tallies = Object.fromEntries(CONTENDERS.map((c) => [c, newTally()])) as Record<Contender, Tally>;
      const before = Object.fromEntries(
        await Promise.all(CONTENDERS.map(async (c) => [c, await snapshot(pool, PREFIX[c])] as const)),
      ) as Record<Contender, Map<string, number>>;
      for (let slice = 0; slice < settings.slices; slice++) {
        // Rotate the order so no contender always runs first or last.
        const order = CONTENDERS.map((_, i) => CONTENDERS[(i + slice) % CONTENDERS.length]);
        for (const c of order) {
          const until = { deadline: Date.now() + sliceMs };
          await drive(reducers[c], pickers[scenario](PREFIX[c]), until, tallies[c], serverPid(c));
        }
      }
      table[scenario] = {} as never;
      for (const c of CONTENDERS) {
        const t = tallies[c];
        table[scenario][c] = {
          opsPerS: t.ok / t.seconds,
          serverCpuMsPerOp: (t.serverCpuSeconds * 1000) / t.ok,
          oversell: accountingErrors(before[c], await snapshot(pool, PREFIX[c]), t),
          errors: t.errors,
        };
        process.stderr.write(`${scenario}/${c}: ${t.ok} reduces in ${t.seconds.toFixed(1)} s, ${t.errors} errors\n`);
      }
    }

    const drained = {} as Record<Contender, Tally>;
    for (const c of CONTENDERS) {
      const itemNo = `${PREFIX[c]}-DRAIN`;
      drained[c] = await drive(reducers[c], () => itemNo, { drain: true });
    }
    const drainLeft = await pool.query<{ item_no: string; quantity: number }>(
      `SELECT item_no, quantity FROM items WHERE item_no LIKE '%-DRAIN' ORDER BY item_no`,
    );
    const { rows: mismatched } = await pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM items i
        WHERE i.quantity <> (SELECT coalesce(sum(amount), 0) FROM stock_movements m WHERE m.item_id = i.id)`,
    );

    const out = (line: string) => process.stdout.write(`${line}\n`);
    out('');
    out(
      `im-stock: ${settings.clients} clients, ${settings.durationS} s per contender and scenario ` +
        `(${settings.slices} alternating slices), pool ${settings.poolSize}, ${settings.spreadItems} spread items, ` +
        `im-web LOG_LEVEL=${settings.logLevel}`,
    );
    let oversell = 0;
    const rows = Object.entries(table).map(([scenario, r]) => {
      const over = CONTENDERS.reduce((n, c) => n + r[c].oversell, 0);
      oversell += over;
      const ratio = (c: Contender, to: Contender = 'raw') => `${(r[c].opsPerS / r[to].opsPerS).toFixed(2)}x`;
      const cpu = (c: Contender) => (Number.isFinite(r[c].serverCpuMsPerOp) ? r[c].serverCpuMsPerOp.toFixed(2) : 'n/a');
      return [
        scenario,
        ...CONTENDERS.map((c) => r[c].opsPerS.toFixed(0)),
        ratio('service'),
        ratio('bare'),
        ratio('api'),
        ratio('express'),
        ratio('api', 'bare'),
        ...WEB_CONTENDERS.map(cpu),
        String(over),
        String(CONTENDERS.reduce((n, c) => n + r[c].errors, 0)),
      ];
    });
    const head = [
      'scenario',
      ...CONTENDERS.map((c) => `${c} ops/s`),
      'service/raw',
      'bare/raw',
      'api/raw',
      'express/raw',
      'api/bare',
      ...WEB_CONTENDERS.map((c) => `${c} cpu ms/op`),
      'oversell',
      'errors',
    ];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    for (const row of [head, ...rows])
      out(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
    for (const c of CONTENDERS) oversell += Math.max(0, drained[c].ok - settings.drainStock);
    out(
      `drain (${settings.drainStock} in stock): ` +
        CONTENDERS.map((c) => `${c} ${drained[c].ok} succeeded`).join(', ') +
        `; left ${drainLeft.rows.map((r) => `${r.item_no}=${r.quantity}`).join(' ')}`,
    );
    out(`ledger: ${mismatched[0].n} items whose movements do not sum to their quantity`);
    out(`oversell count: ${oversell}`);
    if (oversell !== 0 || mismatched[0].n !== '0') process.exitCode = 1;
  } finally {
    for (const server of Object.values(servers)) {
      server.client.close();
      server.child.kill('SIGTERM');
    }
    await new Promise((r) => setTimeout(r, 1500));
    if (dataSource.isInitialized) await dataSource.destroy();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`im-stock: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
