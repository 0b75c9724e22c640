/**
 * bench/edge-keepalive: product lookups (GET /api/products/{item_no}/) through our nginx
 * configuration to a real dbu-web, with upstream keepalive (the configuration as committed) and
 * without (the same rendered configuration with the upstreams' `keepalive` lines removed: one TCP
 * connection from nginx to dbu-web per request, as before issue 19).
 *
 * Clients keep their own TLS connections to nginx alive in both cases, so the difference is the
 * nginx → app hop only. Two nginx processes run side by side; BENCH_SLICES interleaved slices
 * (order alternating) of BENCH_DURATION_S / BENCH_SLICES seconds each; medians of req/s over the
 * slices and latency percentiles over every response (infrastructure-stack/test/edge-live.test.ts
 * counts the upstream connections themselves). nginx's per-address rate and
 * connection limits and its access log are off in both copies (one address makes all the load).
 *
 *   pnpm build && scripts/ci-nginx.sh && pnpm --filter @pjs/bench edge-keepalive
 *   env: BENCH_ROWS=20000 BENCH_DURATION_S=60 BENCH_SLICES=6 BENCH_CONNECTIONS=16 BENCH_POOL_SIZE=10
 *        BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource, runMigrations, withDatabase } from '@pjs/database';
import { dbuMigrations } from '@pjs/dbu';
import {
  SERVER_NAMES,
  renderEdge,
  startNginx,
  stopProcess,
  type RenderedNginx,
} from '../../infrastructure-stack/test/support/nginx';
import { envInt, envNumber, freePort, median, startChild, stopChild, waitHttp } from '../common/harness';
import { loadCatalogue } from '../dbu-lookup/load-catalogue';

const settings = {
  rows: envInt('BENCH_ROWS', 20_000),
  durationS: envNumber('BENCH_DURATION_S', 60),
  slices: envInt('BENCH_SLICES', 6),
  connections: envInt('BENCH_CONNECTIONS', 16),
  poolSize: envInt('BENCH_POOL_SIZE', 10),
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};
const ROOT = join(__dirname, '..', '..');
const DBU_DIST = join(ROOT, 'services', 'dbu', 'dist');
const HOST = SERVER_NAMES.dbu;
const CONTENDERS = ['keepalive', 'no-keepalive'] as const;
type Contender = (typeof CONTENDERS)[number];

const log = (line: string): void => {
  process.stdout.write(`[edge-keepalive] ${line}\n`);
};

interface Edge {
  rendered: RenderedNginx;
  nginx: ChildProcess;
  port: number;
  agent: Agent;
}

async function startEdge(dbuPort: number, keepalive: boolean): Promise<Edge> {
  const rendered = await renderEdge(
    { is: '127.0.0.1:9', dbu: `127.0.0.1:${dbuPort}`, im: '127.0.0.1:9' },
    { allowlists: { admin: '127.0.0.1', internal: '127.0.0.0/8', nodeEnv: 'production' } },
  );
  const port = rendered.ports.https;
  // The access log would cost both alike; off, so the figures are the hop's.
  const main = readFileSync(rendered.confFile, 'utf8').replace(/access_log \S+ json;/, 'access_log off;');
  writeFileSync(rendered.confFile, main);
  // One client address makes all the load: the per-address rate and connection limits go.
  const confd = join(rendered.dir, 'conf', 'conf.d');
  for (const file of readdirSync(confd).filter((f) => f.endsWith('.conf'))) {
    let text = readFileSync(join(confd, file), 'utf8').replace(/^\s*limit_(req|conn) [^;]+;\n/gm, '');
    if (!keepalive) text = text.replace(/^\s*keepalive(_timeout)? [^;]+;\n/gm, '');
    writeFileSync(join(confd, file), text);
  }
  const nginx = startNginx(rendered);
  const agent = new Agent({
    keepAlive: true,
    maxSockets: settings.connections,
    ca: readFileSync(rendered.certFile),
    servername: HOST,
  });
  return { rendered, nginx, port, agent };
}

function get(edge: Edge, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: edge.port,
        path,
        agent: edge.agent,
        servername: HOST,
        headers: { host: HOST, ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface Slice {
  rps: number;
  latencies: number[];
  non2xx: number;
}

async function slice(edge: Edge, paths: string[], headers: Record<string, string>, seconds: number) {
  const latencies: number[] = [];
  let non2xx = 0;
  let next = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: settings.connections }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const status = await get(edge, paths[next++ % paths.length], headers);
        latencies.push(performance.now() - t);
        if (status !== 200) non2xx += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const slice: Slice = { rps: latencies.length / elapsed, latencies, non2xx };
  return slice;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const dbName = `bench_edge_keepalive_${process.pid}`;
  const dbUrl = withDatabase(settings.postgresUrl, dbName);
  const admin = new Client({ connectionString: settings.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  let web: ChildProcess | undefined;
  const edges: Partial<Record<Contender, Edge>> = {};
  try {
    const ds = createDataSource({ url: dbUrl, migrations: dbuMigrations, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    log(`loading ${settings.rows} products`);
    await loadCatalogue(dbUrl, settings.rows, log);
    const items = await ds.query<{ item_no: string }[]>(
      `SELECT item_no FROM products WHERE NOT is_deleted ORDER BY random() LIMIT 1000`,
    );
    await ds.destroy();
    const paths = items.map((r) => `/api/products/${encodeURIComponent(r.item_no)}/`);
    const create = spawnSync(process.execPath, [join(DBU_DIST, 'cli.js'), 'create-user', `bench_${process.pid}`], {
      env: { ...process.env, DATABASE_URL: dbUrl, LOG_LEVEL: 'error' },
      encoding: 'utf8',
    });
    if (create.status !== 0) throw new Error(`create-user failed: ${create.stderr}`);
    const headers = { authorization: `Token ${create.stdout.trim()}` };

    const dbuPort = await freePort();
    web = startChild(
      'dbu-web',
      [join(DBU_DIST, 'main.js')],
      {
        PORT: String(dbuPort),
        DATABASE_URL: dbUrl,
        DB_POOL_SIZE: String(settings.poolSize),
        LOG_LEVEL: 'info',
        TRUST_PROXY: '1',
        INTERNAL_ALLOWED_IPS: '127.0.0.0/8',
        // One token and one address make all the load: the app's own rate limits would answer 429.
        RATE_LIMIT_PER_TOKEN: '0',
        RATE_LIMIT_PER_IP: '0',
      },
      ROOT,
      { discardOutput: true },
    );
    await waitHttp(`http://127.0.0.1:${dbuPort}/health/`, web, 'dbu-web');
    for (const c of CONTENDERS) edges[c] = await startEdge(dbuPort, c === 'keepalive');
    for (const c of CONTENDERS) {
      const status = await get(edges[c]!, paths[0], headers).catch(() => 0);
      if (status !== 200) throw new Error(`${c}: lookup through nginx answered ${status}`);
    }
    log(`warm-up; then ${settings.slices} interleaved slices, ${settings.connections} client connections`);
    for (const c of CONTENDERS) await slice(edges[c]!, paths, headers, 3);
    const runs: Record<Contender, Slice[]> = { keepalive: [], 'no-keepalive': [] };
    const seconds = Math.max(1, Math.round(settings.durationS / settings.slices));
    for (let s = 0; s < settings.slices; s += 1) {
      const order = s % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse();
      for (const c of order) {
        runs[c].push(await slice(edges[c]!, paths, headers, seconds));
        await new Promise((r) => setTimeout(r, 500));
      }
      log(`slice ${s + 1}/${settings.slices} done`);
    }
    const rows = CONTENDERS.map((c) => {
      const all = runs[c].flatMap((r) => r.latencies).sort((a, b) => a - b);
      const f = (x: number, d = 1) => x.toFixed(d);
      return (
        `| ${c} | ${f(median(runs[c].map((r) => r.rps)), 0)} | ${f(percentile(all, 50), 2)} / ${f(percentile(all, 99), 2)} | ` +
        `${runs[c].reduce((n, r) => n + r.non2xx, 0)} |`
      );
    });
    process.stdout.write(
      `\n| nginx → dbu-web | req/s (median) | latency ms p50 / p99 | non-2xx |\n` +
        `| --- | ---: | ---: | ---: |\n${rows.join('\n')}\n`,
    );
    // A refused answer is cheaper than a lookup: such a run says nothing about the hop.
    const refused = CONTENDERS.reduce((n, c) => n + runs[c].reduce((m, r) => m + r.non2xx, 0), 0);
    if (refused > 0) {
      process.stdout.write(`INVALID: ${refused} non-2xx answers\n`);
      process.exitCode = 1;
    }
  } finally {
    for (const edge of Object.values(edges)) {
      edge.agent.destroy();
      await stopProcess(edge.nginx);
      rmSync(edge.rendered.dir, { recursive: true, force: true });
    }
    if (web) await stopChild(web);
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
