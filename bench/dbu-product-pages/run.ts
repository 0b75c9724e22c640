/**
 * bench/dbu-product-pages: pages of `GET /api/products/` on BENCH_ROWS products (1M default) as
 * the staff admin reads them — the first page and a deep page (a cursor at a random product) in
 * each ordering, a filtered deep page, a title search — through dbu-web against the raw keyset
 * SQL over pg in the same run, each sample of one interleaved with the other's.
 *
 * Contenders: `dbu-web` is the built services/dbu/dist/main.js as deployed (the whole request
 * pipeline, the access log on), called over HTTP one request at a time; its server-side time per
 * page is the access log's `duration_ms`. `raw` is the hand-written keyset query — the list's
 * columns with manufacturer, license and category names, `WHERE (column, item_no) > ($1, $2)
 * ORDER BY column, item_no LIMIT 51` — on one pg connection: what the database needs for a page.
 * dbu-web does more per page (JSON built in PostgreSQL, photo URLs, the planner's count estimate
 * first), so the ratio shows what the API costs over the bare query. The page-number list
 * of existing callers (exact count, OFFSET) is measured too, for comparison; it has no raw
 * contender.
 *
 *   pnpm build && nice -n 5 pnpm --filter @pjs/bench dbu-product-pages
 *   env: BENCH_ROWS=1000000 BENCH_SAMPLES=100 BENCH_KEEP_DB=0 BENCH_POOL_SIZE=10 BENCH_LOG_LEVEL=info
 *        BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
 *
 * Timings are reported, never asserted: the goal (server-side p99 < 300 ms per page) is a verdict
 * in the output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createDataSource, runMigrations, withDatabase } from '@pjs/database';
import { dbuMigrations, encodeProductCursor, PRODUCT_ORDERINGS, type ProductOrdering } from '@pjs/dbu';
import { envInt, freePort, startChild, stopChild, waitHttp, type ChildProcess } from '../common/harness';
import { seedProducts, TITLES, titleToken } from './seed-products';

const settings = {
  rows: envInt('BENCH_ROWS', 1_000_000),
  samples: envInt('BENCH_SAMPLES', 100),
  poolSize: envInt('BENCH_POOL_SIZE', 10),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  keepDb: process.env.BENCH_KEEP_DB === '1',
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

const ROOT = join(__dirname, '..', '..');
const DBU_DIST = join(ROOT, 'services', 'dbu', 'dist');
const PAGE_SIZE = 50;
/** The goal of docs/benchmarks.md (reported, not asserted): server-side p99 per page. */
const GOAL_SERVER_P99_MS = 300;

const log = (line: string): void => {
  process.stdout.write(`[dbu-product-pages] ${line}\n`);
};

/** A product where a deep page starts: its keys in every ordering. */
interface DeepKey {
  item_no: string;
  title: string;
  updated_at: string;
  license_id: number;
}

interface Scenario {
  name: string;
  web: (i: number) => string;
  raw?: (i: number) => { text: string; values: unknown[] };
  /** Rows the page must hold (checks both contenders answer a full page). */
  minRows: number;
  samples: number;
  /** Page-number scenarios of existing callers: timed for comparison, outside the goal. */
  reference?: boolean;
}

async function main(): Promise<void> {
  for (const file of ['main.js', 'cli.js', 'index.js']) {
    if (!existsSync(join(DBU_DIST, file))) throw new Error(`${join(DBU_DIST, file)} is missing: run pnpm build`);
  }
  const dbName = settings.keepDb ? `bench_dbu_pages_${settings.rows}` : `bench_dbu_pages_${process.pid}`;
  const dbUrl = withDatabase(settings.postgresUrl, dbName);
  const admin = new Client({ connectionString: settings.postgresUrl });
  await admin.connect();
  const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [dbName])).rowCount === 1;
  if (!exists) await admin.query(`CREATE DATABASE "${dbName}"`);

  let web: ChildProcess | undefined;
  const raw = new Client({ connectionString: dbUrl });
  try {
    const ds = createDataSource({ url: dbUrl, migrations: dbuMigrations, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    const [{ n }] = await ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM products`);
    await ds.destroy();
    if (n !== settings.rows) {
      if (n !== 0) throw new Error(`${dbName} holds ${n} products, expected 0 or ${settings.rows}; drop it`);
      log(`seeding ${settings.rows} products into ${dbName} (psql \\copy)`);
      const t = Date.now();
      await seedProducts(dbUrl, settings.rows, log);
      log(`seeded in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    } else {
      log(`reusing ${dbName} with ${n} products`);
    }

    await raw.connect();
    const deep = (
      await raw.query<DeepKey>(
        `SELECT item_no, title, license_id,
                to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at
           FROM products TABLESAMPLE SYSTEM (1) WHERE NOT is_deleted ORDER BY random() LIMIT 500`,
      )
    ).rows;
    await printPlans(raw, deep[0]);

    const create = spawnSync(process.execPath, [join(DBU_DIST, 'cli.js'), 'create-user', `bench_${process.pid}`], {
      env: { ...process.env, DATABASE_URL: dbUrl, LOG_LEVEL: 'error' },
      encoding: 'utf8',
    });
    if (create.status !== 0) throw new Error(`create-user failed: ${create.stderr}`);
    const headers = { authorization: `Token ${create.stdout.trim()}` };

    const port = await freePort();
    web = startChild(
      'dbu-web',
      [join(DBU_DIST, 'main.js')],
      {
        PORT: String(port),
        DATABASE_URL: dbUrl,
        DB_POOL_SIZE: String(settings.poolSize),
        LOG_LEVEL: settings.logLevel,
        INTERNAL_ALLOWED_IPS: '127.0.0.1/32,::1',
        RATE_LIMIT_PER_TOKEN: '0',
        RATE_LIMIT_PER_IP: '0',
      },
      ROOT,
    );
    const serverTimes = accessLogDurations(web);
    const base = `http://127.0.0.1:${port}`;
    await waitHttp(`${base}/health/`, web, 'dbu-web');

    const scenarios = scenariosFor(deep);
    const lines: string[] = [];
    const verdicts: string[] = [];
    for (const scenario of scenarios) {
      const webMs: number[] = [];
      const rawMs: number[] = [];
      const fetchPage = async (i: number, keep: boolean) => {
        const t = performance.now();
        const res = await fetch(base + scenario.web(i), { headers });
        const body = (await res.json()) as { results?: unknown[] };
        if (keep) webMs.push(performance.now() - t);
        if (res.status !== 200 || (body.results?.length ?? 0) < scenario.minRows) {
          throw new Error(
            `${scenario.name}: ${scenario.web(i)} answered ${res.status} ${JSON.stringify(body).slice(0, 300)}`,
          );
        }
      };
      const runRaw = async (i: number, keep: boolean) => {
        if (!scenario.raw) return;
        const t = performance.now();
        const result = await raw.query(scenario.raw(i));
        if (keep) rawMs.push(performance.now() - t);
        if (result.rows.length < scenario.minRows)
          throw new Error(`${scenario.name}: raw answered ${result.rows.length} rows`);
      };
      for (let i = 0; i < 5; i += 1) {
        await fetchPage(1000 + i, false);
        await runRaw(1000 + i, false);
      }
      await settle();
      serverTimes.splice(0);
      for (let i = 0; i < scenario.samples; i += 1) {
        // Alternate who goes first, so drift on the machine hits both alike.
        if (i % 2 === 0) {
          await fetchPage(i, true);
          await runRaw(i, true);
        } else {
          await runRaw(i, true);
          await fetchPage(i, true);
        }
      }
      await settle();
      const server = serverTimes.splice(0);
      const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
      const [w50, w99, s50, s99, r50, r99] = [
        percentile(webMs, 50),
        percentile(webMs, 99),
        percentile(server, 50),
        percentile(server, 99),
        percentile(rawMs, 50),
        percentile(rawMs, 99),
      ];
      const ratio = scenario.raw ? `${(w50 / r50).toFixed(1)}x` : '–';
      const met = scenario.reference ? 'reference' : s99 < GOAL_SERVER_P99_MS ? 'met' : 'MISSED';
      lines.push(
        `| ${scenario.name} | ${scenario.samples} | ${f(w50)} / ${f(w99)} | ${f(s50)} / ${f(s99)} | ` +
          `${scenario.raw ? `${f(r50)} / ${f(r99)}` : '–'} | ${ratio} | ${met} |`,
      );
      log(`${scenario.name}: dbu-web p50 ${f(w50)} ms (server ${f(s50)}), raw ${f(r50)} ms`);
      if (server.length !== scenario.samples) verdicts.push(`${scenario.name}: ${server.length} access-log lines`);
    }
    const missed = lines.filter((l) => l.endsWith('MISSED |')).length;
    process.stdout.write(
      `\n${settings.rows} products, pages of ${PAGE_SIZE}, ${settings.samples} sequential samples per scenario ` +
        `(old-caller scenarios fewer), dbu-web and raw interleaved\n` +
        `| scenario | samples | dbu-web p50 / p99 ms | server-side p50 / p99 ms | raw SQL p50 / p99 ms | ` +
        `p50 dbu-web / raw | server p99 < ${GOAL_SERVER_P99_MS} ms |\n` +
        `| --- | ---: | ---: | ---: | ---: | ---: | --- |\n${lines.join('\n')}\n\n` +
        `goal server-side p99 < ${GOAL_SERVER_P99_MS} ms per cursor page: ${missed === 0 ? 'met' : `MISSED in ${missed}`}\n` +
        verdicts.map((v) => `note: ${v}\n`).join(''),
    );
  } finally {
    await raw.end().catch(() => undefined);
    if (web) await stopChild(web);
    if (!settings.keepDb) await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

function scenariosFor(deep: DeepKey[]): Scenario[] {
  const key = (i: number) => deep[i % deep.length];
  const list = (query: string) => `/api/products/?${query}&page_size=${PAGE_SIZE}`;
  const scenarios: Scenario[] = [];
  for (const ordering of PRODUCT_ORDERINGS) {
    scenarios.push({
      name: `first page, ordering=${ordering}`,
      web: () => list(`ordering=${ordering}&cursor=`),
      raw: () => rawKeyset(ordering),
      minRows: PAGE_SIZE,
      samples: settings.samples,
    });
  }
  for (const ordering of PRODUCT_ORDERINGS) {
    scenarios.push({
      name: `deep page (cursor), ordering=${ordering}`,
      web: (i) => list(`ordering=${ordering}&cursor=${cursorAt(ordering, key(i))}`),
      raw: (i) => rawKeyset(ordering, key(i)),
      // A random key can lie near the end in its ordering: a short page is still a page.
      minRows: 0,
      samples: settings.samples,
    });
  }
  scenarios.push({
    name: 'filtered deep page: license + cursor, ordering=title',
    web: (i) => list(`license=${key(i).license_id}&ordering=title&cursor=${cursorAt('title', key(i))}`),
    raw: (i) => rawKeyset('title', key(i), { sql: 'p.license_id = $N', value: key(i).license_id }),
    minRows: 0,
    samples: settings.samples,
  });
  scenarios.push({
    name: 'title search, first page (cursor), ordering=title',
    web: (i) => list(`search=${searchToken(i)}&ordering=title&cursor=`),
    raw: (i) => rawKeyset('title', undefined, { sql: `p.title ILIKE $N`, value: `%${searchToken(i)}%` }),
    minRows: 1,
    samples: settings.samples,
  });
  const few = Math.max(10, Math.round(settings.samples / 5));
  scenarios.push({
    name: 'old callers: page=1 (exact count)',
    web: () => list('page=1'),
    minRows: PAGE_SIZE,
    samples: few,
    reference: true,
  });
  // A tenth of the way in (page 2000 of a million products): what OFFSET costs old callers.
  const deepPage = Math.max(2, Math.floor(settings.rows / PAGE_SIZE / 10));
  scenarios.push({
    name: `old callers: page=${deepPage} (OFFSET ${(deepPage - 1) * PAGE_SIZE}, exact count)`,
    web: () => list(`page=${deepPage}`),
    minRows: PAGE_SIZE,
    samples: few,
    reference: true,
  });
  return scenarios;
}

/** A title token of live products (those of titles n with n % 50 = 0 are all soft-deleted). */
function searchToken(i: number): string {
  const n = (i * 7919) % TITLES;
  return titleToken(n % 50 === 0 ? n + 1 : n);
}

function cursorAt(ordering: ProductOrdering, key: DeepKey): string {
  const column = ordering.replace(/^-/, '') as 'item_no' | 'title' | 'updated_at';
  const value = column === 'item_no' ? undefined : key[column];
  return encodeProductCursor({ ordering, direction: 'after', key: { value, itemNo: key.item_no } });
}

/** The hand-written keyset page: the list's columns and names, after `key` in `ordering`. */
function rawKeyset(
  ordering: ProductOrdering,
  key?: DeepKey,
  filter?: { sql: string; value: unknown },
): { text: string; values: unknown[] } {
  const column = ordering.replace(/^-/, '') as 'item_no' | 'title' | 'updated_at';
  const desc = ordering.startsWith('-') ? ' DESC' : '';
  const columns = column === 'item_no' ? ['p.item_no'] : [`p.${column}`, 'p.item_no'];
  const values: unknown[] = [];
  const where = ['NOT p.is_deleted'];
  if (filter) {
    values.push(filter.value);
    where.push(filter.sql.replace('$N', `$${values.length}`));
  }
  if (key) {
    const op = desc ? '<' : '>';
    values.push(key.item_no);
    const itemNo = `$${values.length}`;
    if (column === 'item_no') where.push(`p.item_no ${op} ${itemNo}`);
    else {
      values.push(key[column]);
      const cast = column === 'title' ? 'text' : 'timestamptz';
      where.push(`(p.${column}, p.item_no) ${op} ($${values.length}::${cast}, ${itemNo}::text)`);
    }
  }
  return {
    text: `SELECT p.item_no, p.ean, p.title, m.name AS manufacturer, l.name AS license, c.path AS category,
                  p.rrp::text AS rrp, p.updated_at, p.is_deleted
             FROM products p
             LEFT JOIN manufacturers m ON m.id = p.manufacturer_id
             LEFT JOIN licenses l ON l.id = p.license_id
             LEFT JOIN categories c ON c.id = p.category_id
            WHERE ${where.join(' AND ')}
            ORDER BY ${columns.map((c) => c + desc).join(', ')}
            LIMIT ${PAGE_SIZE + 1}`,
    values,
  };
}

/** The index each ordering's deep raw page walks (EXPLAIN), printed as a check. */
async function printPlans(db: Client, key: DeepKey): Promise<void> {
  for (const ordering of PRODUCT_ORDERINGS) {
    const query = rawKeyset(ordering, key);
    const plan = await db.query<{ 'QUERY PLAN': unknown }>({
      text: `EXPLAIN (FORMAT JSON) ${query.text}`,
      values: query.values,
    });
    const found: string[] = [];
    const visit = (node: Record<string, unknown>) => {
      if (typeof node['Index Name'] === 'string') found.push(`${String(node['Node Type'])} on ${node['Index Name']}`);
      else if (node['Relation Name'] === 'products') found.push(String(node['Node Type']));
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
    };
    visit((plan.rows[0]['QUERY PLAN'] as [{ Plan: Record<string, unknown> }])[0].Plan);
    log(
      `plan of a deep page, ordering=${ordering}: ${found.filter((f) => f.includes('products') || !f.includes(' on ')).join(', ')}`,
    );
  }
}

/** `duration_ms` of each /api/products access-log line dbu-web writes (its stdout, JSON lines). */
function accessLogDurations(child: ChildProcess): number[] {
  const durations: number[] = [];
  let rest = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.includes('"duration_ms"') || !line.includes('/api/products')) continue;
      try {
        const record = JSON.parse(line) as { duration_ms?: number; path?: string };
        if (typeof record.duration_ms === 'number' && record.path?.startsWith('/api/products')) {
          durations.push(record.duration_ms);
        }
      } catch {
        // not an access-log line
      }
    }
  });
  return durations;
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Lets the last access-log lines arrive. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 150));
}

main().catch((err: unknown) => {
  process.stderr.write(`dbu-product-pages: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
