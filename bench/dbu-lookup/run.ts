/**
 * bench/dbu-lookup: dbu-web's hot read paths against a bare Fastify + pg server running the same
 * SQL on the same pool size, in one run on one database with BENCH_ROWS products (1M default).
 *
 * Scenarios (autocannon, keep-alive, BENCH_CONNECTIONS connections, paths rotating over 1000
 * random targets): `lookup` = GET /api/products/{item_no}/, `search` = GET /api/products/?search=…
 * (a title token matching ~rows/20000 products, with the count and first page of 50).
 *
 * Contenders, each its own process: `dbu-web` is the built services/dbu/dist/main.js as deployed,
 * every request through the one pipeline (request id, the access check with the token cache,
 * compiled validation, the access log at LOG_LEVEL, RED metrics); `bare` is bare-server.ts (no
 * auth, no validation, no logging, no metrics). Both write their output to /dev/null (see
 * startChild: a pipe drained by this busy process would throttle dbu-web's log writes). After a warm-up they get BENCH_SLICES interleaved
 * slices of BENCH_DURATION_S / BENCH_SLICES seconds each per scenario (the order rotating); the
 * table gives the medians over the slices of req/s and server CPU µs per request, and p99 over
 * every response.
 *
 *   pnpm build && pnpm --filter @pjs/bench dbu-lookup
 *   env: BENCH_ROWS=1000000 BENCH_DURATION_S=30 BENCH_SLICES=6 BENCH_CONNECTIONS=32 BENCH_POOL_SIZE=10
 *        BENCH_LOG_LEVEL=info BENCH_KEEP_DB=0 BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
 *        BENCH_WEB_NODE_ARGS= BENCH_BARE_NODE_ARGS=   (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof)
 *        BENCH_SCENARIOS="lookup search"   (a subset, e.g. to profile one)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource, runMigrations, withDatabase } from '@pjs/database';
import { dbuMigrations } from '@pjs/dbu';
import {
  envInt,
  envList,
  envNumber,
  freePort,
  median,
  startChild,
  stopChild,
  waitHttp,
  type ChildProcess,
} from '../common/harness';
import { interleavedSlices, loadSlice, type LoadRequest } from '../common/load';
import { loadCatalogue } from './load-catalogue';

const settings = {
  rows: envInt('BENCH_ROWS', 1_000_000),
  durationS: envNumber('BENCH_DURATION_S', 30),
  slices: envInt('BENCH_SLICES', 6),
  connections: envInt('BENCH_CONNECTIONS', 32),
  poolSize: envInt('BENCH_POOL_SIZE', 10),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  keepDb: process.env.BENCH_KEEP_DB === '1',
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  webNodeArgs: envList('BENCH_WEB_NODE_ARGS'),
  bareNodeArgs: envList('BENCH_BARE_NODE_ARGS'),
  scenarios: envList('BENCH_SCENARIOS'),
};

const ROOT = join(__dirname, '..', '..');
const DBU_DIST = join(ROOT, 'services', 'dbu', 'dist');
const CONTENDERS = ['dbu-web', 'bare'] as const;
type Contender = (typeof CONTENDERS)[number];
const ALL_SCENARIOS = ['lookup', 'search'] as const;
type Scenario = (typeof ALL_SCENARIOS)[number];
const SCENARIOS = settings.scenarios.length
  ? ALL_SCENARIOS.filter((s) => settings.scenarios.includes(s))
  : ALL_SCENARIOS;
const TARGETS = 1000;
/** Goals of docs/benchmarks.md (reported, not asserted): dbu-web req/s at least this share of bare. */
const GOAL_RATIO = 0.9;

const log = (line: string): void => {
  process.stdout.write(`[dbu-lookup] ${line}\n`);
};

async function main(): Promise<void> {
  for (const file of ['main.js', 'cli.js', 'index.js']) {
    if (!existsSync(join(DBU_DIST, file))) throw new Error(`${join(DBU_DIST, file)} is missing: run pnpm build`);
  }
  const dbName = settings.keepDb ? `bench_dbu_lookup_${settings.rows}` : `bench_dbu_lookup_${process.pid}`;
  const dbUrl = withDatabase(settings.postgresUrl, dbName);
  const admin = new Client({ connectionString: settings.postgresUrl });
  await admin.connect();
  const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [dbName])).rowCount === 1;
  if (!exists) await admin.query(`CREATE DATABASE "${dbName}"`);

  const children: ChildProcess[] = [];
  try {
    const ds = createDataSource({ url: dbUrl, migrations: dbuMigrations, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    const [{ n }] = await ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM products`);
    if (n !== settings.rows) {
      if (n !== 0) throw new Error(`${dbName} holds ${n} products, expected 0 or ${settings.rows}; drop it`);
      log(`loading ${settings.rows} products into ${dbName}`);
      const t = Date.now();
      await loadCatalogue(dbUrl, settings.rows, log);
      log(`loaded in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    } else {
      log(`reusing ${dbName} with ${n} products`);
    }

    // Targets: 1000 random item numbers, and 1000 title tokens (each matching ~rows/20000 products).
    const items = await ds.query<{ item_no: string }[]>(
      `SELECT item_no FROM products TABLESAMPLE SYSTEM (1) WHERE NOT is_deleted ORDER BY random() LIMIT $1`,
      [TARGETS],
    );
    const lookupPaths = items.map((r) => `/api/products/${encodeURIComponent(r.item_no)}/`);
    const searchPaths = Array.from({ length: TARGETS }, (_, i) => {
      const token = md5Hex(String((i * 7919) % 20000)).slice(0, 8);
      return `/api/products/?search=${token}`;
    });
    await ds.destroy();

    const create = spawnSync(process.execPath, [join(DBU_DIST, 'cli.js'), 'create-user', `bench_${process.pid}`], {
      env: { ...process.env, DATABASE_URL: dbUrl, LOG_LEVEL: 'error' },
      encoding: 'utf8',
    });
    if (create.status !== 0) throw new Error(`create-user failed: ${create.stderr}`);
    const token = create.stdout.trim();

    const ports: Record<Contender, number> = { 'dbu-web': await freePort(), bare: await freePort() };
    const web = startChild(
      'dbu-web',
      [...settings.webNodeArgs, join(DBU_DIST, 'main.js')],
      {
        PORT: String(ports['dbu-web']),
        DATABASE_URL: dbUrl,
        DB_POOL_SIZE: String(settings.poolSize),
        LOG_LEVEL: settings.logLevel,
        INTERNAL_ALLOWED_IPS: '127.0.0.1/32,::1',
        // The bench measures the pipeline, not the API limits (bench/im-stock measures those).
        RATE_LIMIT_PER_TOKEN: '0',
        RATE_LIMIT_PER_IP: '0',
      },
      ROOT,
      { discardOutput: true },
    );
    const bare = startChild(
      'bare',
      [...settings.bareNodeArgs, '--import', 'tsx', join(__dirname, 'bare-server.ts')],
      { PORT: String(ports.bare), DATABASE_URL: dbUrl, POOL_SIZE: String(settings.poolSize) },
      join(__dirname, '..'),
      { discardOutput: true },
    );
    children.push(web, bare);
    const pids: Record<Contender, number | undefined> = { 'dbu-web': web.pid, bare: bare.pid };
    const base = (c: Contender) => `http://127.0.0.1:${ports[c]}`;
    await waitHttp(`${base('dbu-web')}/health/`, web, 'dbu-web');
    await waitHttp(`${base('bare')}/api/products/none/`, bare, 'bare');

    // Same SQL, same answers: compare one lookup and one search (links differ only by port).
    const headers = { authorization: `Token ${token}` };
    for (const path of [lookupPaths[0], searchPaths[0]]) {
      const [a, b] = await Promise.all(
        CONTENDERS.map(async (c) =>
          (await (await fetch(base(c) + path, { headers })).text()).replace(/:\d+\//g, ':P/'),
        ),
      );
      if (a !== b) throw new Error(`answers differ for ${path}:\n${a.slice(0, 400)}\n${b.slice(0, 400)}`);
    }
    const sliceSeconds = Math.max(1, Math.round(settings.durationS / settings.slices));
    log(
      `answers identical; ${settings.connections} connections, pool ${settings.poolSize}, LOG_LEVEL=${settings.logLevel}, ` +
        `${settings.slices} interleaved slices of ${sliceSeconds} s per contender and scenario`,
    );

    const requests: Record<Scenario, LoadRequest[]> = {
      lookup: lookupPaths.map((path) => ({ path, headers })),
      search: searchPaths.map((path) => ({ path, headers })),
    };
    const rows: string[] = [];
    const verdicts: string[] = [];
    for (const scenario of SCENARIOS) {
      log(`${scenario}: warm-up`);
      for (const c of CONTENDERS) {
        await loadSlice(base(c), requests[scenario], { connections: settings.connections, seconds: 3 });
      }
      const runs = await interleavedSlices(
        CONTENDERS,
        (c) => ({ url: base(c), pid: pids[c], requests: requests[scenario] }),
        {
          slices: settings.slices,
          sliceSeconds,
          connections: settings.connections,
          onSlice: (s) => log(`${scenario}: slice ${s}/${settings.slices} done`),
        },
      );
      const bareRps = median(runs.bare.rps);
      const bareP99 = runs.bare.total.percentile(99);
      for (const c of CONTENDERS) {
        const run = runs[c];
        const rps = median(run.rps);
        const f = (x: number, d = 2) => x.toFixed(d);
        rows.push(
          `| ${scenario} | ${c} | ${f(rps, 0)} | ${f(rps / bareRps)}x | ${f(median(run.cpuUsPerRequest), 0)} | ` +
            `${f(run.total.percentile(50))} / ${f(run.total.percentile(99))} | ${f(run.total.percentile(99) / bareP99)}x | ` +
            `${run.total.non2xx} / ${run.total.errors} |`,
        );
      }
      const ratio = median(runs['dbu-web'].rps) / bareRps;
      // A refused or failed answer is no answer: such a run proves nothing about the goal.
      const refused = CONTENDERS.reduce((n, c) => n + runs[c].total.non2xx + runs[c].total.errors, 0);
      const verdict =
        refused > 0 ? `INVALID: ${refused} non-2xx or failed answers` : ratio >= GOAL_RATIO ? 'met' : 'MISSED';
      verdicts.push(`${scenario}: dbu-web ${ratio.toFixed(2)}x bare req/s (goal >= ${GOAL_RATIO}x: ${verdict})`);
    }
    process.stdout.write(
      `\n${settings.rows} products; medians over ${settings.slices} interleaved slices of ${sliceSeconds} s\n` +
        `| scenario | contender | req/s | vs bare | server CPU µs/req | p50 / p99 ms | p99 vs bare | non-2xx / errors |\n` +
        `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n${rows.join('\n')}\n\n${verdicts.join('\n')}\n`,
    );
  } finally {
    for (const child of children) await stopChild(child);
    if (!settings.keepDb) await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

function md5Hex(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

main().catch((err: unknown) => {
  process.stderr.write(`dbu-lookup: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
