/**
 * bench/dbu-lookup: dbu-web's hot read paths against a bare Fastify + pg server running the same
 * SQL on the same pool size, in one run on one database with BENCH_ROWS products (1M default).
 *
 * Scenarios (autocannon, keep-alive, BENCH_CONNECTIONS connections, paths rotating over 1000
 * random targets): `lookup` = GET /api/products/{item_no}/, `search` = GET /api/products/?search=…
 * (a title token matching ~50 rows, with the count and first page of 50). Both servers run as
 * their own processes; dbu-web is the built services/dbu/dist/main.js with its normal pipeline
 * (request id, access log at LOG_LEVEL, metrics, token auth with the token cache, the product
 * fast lane); `dbu-web-nest` is the same build with the fast lane off (every request through
 * Express and Nest), to show what the lane buys. Each contender gets BENCH_DURATION_S per scenario in BENCH_SLICES alternating
 * slices (order rotating) after a warm-up; latencies of every response are kept for exact
 * percentiles.
 *
 *   pnpm build && pnpm --filter @pjs/bench dbu-lookup
 *   env: BENCH_ROWS=1000000 BENCH_DURATION_S=30 BENCH_SLICES=6 BENCH_CONNECTIONS=32 BENCH_POOL_SIZE=10
 *        BENCH_LOG_LEVEL=info BENCH_KEEP_DB=0 BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
 *        BENCH_WEB_NODE_ARGS= BENCH_BARE_NODE_ARGS=   (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { createDataSource, runMigrations, withDatabase } from '@pjs/database';
import { dbuMigrations } from '@pjs/dbu/dist/database/migrations';
import { loadCatalogue } from './load-catalogue';

const num = (name: string, fallback: number): number => {
  const value = process.env[name];
  const n = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};

const settings = {
  rows: Math.floor(num('BENCH_ROWS', 1_000_000)),
  durationS: num('BENCH_DURATION_S', 30),
  slices: Math.floor(num('BENCH_SLICES', 6)),
  connections: Math.floor(num('BENCH_CONNECTIONS', 32)),
  poolSize: Math.floor(num('BENCH_POOL_SIZE', 10)),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  keepDb: process.env.BENCH_KEEP_DB === '1',
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  webNodeArgs: (process.env.BENCH_WEB_NODE_ARGS ?? '').split(' ').filter(Boolean),
  bareNodeArgs: (process.env.BENCH_BARE_NODE_ARGS ?? '').split(' ').filter(Boolean),
};

const ROOT = join(__dirname, '..', '..');
const DBU_DIST = join(ROOT, 'services', 'dbu', 'dist');
const CONTENDERS = ['dbu-web', 'bare', 'dbu-web-nest'] as const;
type Contender = (typeof CONTENDERS)[number];
const SCENARIOS = ['lookup', 'search'] as const;
type Scenario = (typeof SCENARIOS)[number];
const TARGETS = 1000;

const log = (line: string): void => {
  process.stdout.write(`[dbu-lookup] ${line}\n`);
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitHttp(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not answer ${url} within 30 s`);
}

function startChild(name: string, args: string[], env: Record<string, string>, cwd = ROOT): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep the pipes drained (the access log at info is one line per request) without printing.
  child.stdout?.on('data', () => undefined);
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    if (code && code !== 0) process.stderr.write(`${name} exited ${code ?? signal}: ${errors}\n`);
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** CPU time (ms, user + system) a process has used so far, from /proc (Linux). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after "pid (comm) ".
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** Latencies (ms) of every response of a contender in a scenario, and the counts. */
class Tally {
  private latencies = new Float64Array(1 << 16);
  private size = 0;
  requests = 0;
  non2xx = 0;
  errors = 0;
  seconds = 0;
  /** CPU ms the server process used during the measured slices. */
  serverCpuMs = 0;

  add(ms: number): void {
    if (this.size === this.latencies.length) {
      const bigger = new Float64Array(this.latencies.length * 2);
      bigger.set(this.latencies);
      this.latencies = bigger;
    }
    this.latencies[this.size++] = ms;
  }

  percentile(p: number): number {
    const sorted = this.latencies.slice(0, this.size).sort();
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  }

  get rps(): number {
    return this.requests / this.seconds;
  }

  /** Server CPU per request, in µs. */
  get cpuPerRequestUs(): number {
    return (this.serverCpuMs * 1000) / this.requests;
  }
}

async function slice(
  url: string,
  paths: string[],
  headers: Record<string, string>,
  seconds: number,
  tally?: Tally,
  serverPid?: number,
): Promise<void> {
  const cpuBefore = cpuMs(serverPid);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: settings.connections,
        duration: seconds,
        requests: paths.map((path) => ({ method: 'GET', path, headers })),
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    if (tally) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        tally.add(responseTime);
        if (statusCode < 200 || statusCode >= 300) tally.non2xx += 1;
      });
    }
  });
  if (tally) {
    tally.requests += result.requests.total;
    tally.errors += result.errors + result.timeouts;
    tally.seconds += result.duration;
    tally.serverCpuMs += cpuMs(serverPid) - cpuBefore;
  }
}

async function main(): Promise<void> {
  for (const file of ['main.js', 'cli.js']) {
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

    const webPort = await freePort();
    const barePort = await freePort();
    const web = startChild('dbu-web', [...settings.webNodeArgs, join(DBU_DIST, 'main.js')], {
      PORT: String(webPort),
      DATABASE_URL: dbUrl,
      DB_POOL_SIZE: String(settings.poolSize),
      LOG_LEVEL: settings.logLevel,
    });
    children.push(web);
    const bare = startChild(
      'bare',
      [...settings.bareNodeArgs, '--import', 'tsx', join(__dirname, 'bare-server.ts')],
      {
        PORT: String(barePort),
        DATABASE_URL: dbUrl,
        POOL_SIZE: String(settings.poolSize),
      },
      join(__dirname, '..'),
    );
    children.push(bare);
    const nestPort = await freePort();
    const nest = startChild(
      'dbu-web-nest',
      [...settings.webNodeArgs, '--import', 'tsx', join(__dirname, 'web-without-lane.ts')],
      {
        PORT: String(nestPort),
        DATABASE_URL: dbUrl,
        DB_POOL_SIZE: String(settings.poolSize),
        LOG_LEVEL: settings.logLevel,
      },
      join(__dirname, '..'),
    );
    children.push(nest);
    const pids: Record<Contender, number | undefined> = {
      'dbu-web': web.pid,
      bare: bare.pid,
      'dbu-web-nest': nest.pid,
    };
    const base: Record<Contender, string> = {
      'dbu-web': `http://127.0.0.1:${webPort}`,
      bare: `http://127.0.0.1:${barePort}`,
      'dbu-web-nest': `http://127.0.0.1:${nestPort}`,
    };
    await waitHttp(`${base['dbu-web']}/health/`, web, 'dbu-web');
    await waitHttp(`${base.bare}/api/products/none/`, bare, 'bare');
    await waitHttp(`${base['dbu-web-nest']}/health/`, nest, 'dbu-web-nest');

    // Same SQL, same answers: compare one lookup and one search (links differ only by port).
    const headers = { authorization: `Token ${token}` };
    for (const path of [lookupPaths[0], searchPaths[0]]) {
      const [a, b] = await Promise.all(
        CONTENDERS.map(async (c) =>
          (await (await fetch(base[c] + path, { headers })).text()).replace(/:\d+\//g, ':P/'),
        ),
      );
      if (a !== b) throw new Error(`answers differ for ${path}:\n${a.slice(0, 400)}\n${b.slice(0, 400)}`);
    }
    log(
      `answers identical; ${settings.connections} connections, pool ${settings.poolSize}, LOG_LEVEL=${settings.logLevel}`,
    );

    const tallies = new Map<string, Tally>();
    const paths: Record<Scenario, string[]> = { lookup: lookupPaths, search: searchPaths };
    for (const scenario of SCENARIOS) {
      log(`${scenario}: warm-up`);
      for (const c of CONTENDERS) await slice(base[c], paths[scenario], headers, 3);
      const sliceS = Math.max(1, Math.round(settings.durationS / settings.slices));
      for (let s = 0; s < settings.slices; s += 1) {
        // Rotate the order so that load from elsewhere on the machine hits every contender alike.
        const order = CONTENDERS.map((_, i) => CONTENDERS[(i + s) % CONTENDERS.length]);
        for (const c of order) {
          const key = `${scenario}:${c}`;
          const tally = tallies.get(key) ?? new Tally();
          tallies.set(key, tally);
          await slice(base[c], paths[scenario], headers, sliceS, tally, pids[c]);
        }
        log(`${scenario}: slice ${s + 1}/${settings.slices} done`);
      }
    }

    const f = (x: number, d = 2) => x.toFixed(d);
    process.stdout.write(
      `\n| scenario | contender | req/s | vs bare | p50 / p99 ms | p99 vs bare | server CPU µs/req | non-2xx / errors |\n` +
        `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n`,
    );
    for (const scenario of SCENARIOS) {
      const b = tallies.get(`${scenario}:bare`)!;
      for (const c of CONTENDERS) {
        const t = tallies.get(`${scenario}:${c}`)!;
        process.stdout.write(
          `| ${scenario} | ${c} | ${f(t.rps, 0)} | ${f(t.rps / b.rps)}x | ${f(t.percentile(50))} / ${f(t.percentile(99))} | ` +
            `${f(t.percentile(99) / b.percentile(99))}x | ${f(t.cpuPerRequestUs, 0)} | ${t.non2xx} / ${t.errors} |\n`,
        );
      }
    }
    process.stdout.write(
      `\ngoal for dbu-web: req/s >= 0.80x bare and p99 <= 1.25x bare (dbu-web-nest: the fast lane off)\n`,
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
