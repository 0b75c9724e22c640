/**
 * bench/im-stock/sync-1k.ts: how long `POST /api/signal/` takes until the DBU details of 1k items
 * are filled, end to end through real processes (built dist/):
 *
 *   im-web (signal → outbox) → RabbitMQ → im-worker (sync-missing-details) → dbu-web (batched
 *   `GET /api/products/?item_no=…`) → item_details upsert
 *
 * and, for reference, the same work done directly in this process: the same batched DBU lookups
 * over HTTP and the same one-statement upsert over `pg` (no broker, no outbox, no worker).
 * Each run starts from no details at all (DELETE FROM item_details).
 *
 *   pnpm build && pnpm --filter @pjs/bench exec tsx im-stock/sync-1k.ts
 *   env: BENCH_SYNC_ITEMS=1000 BENCH_SYNC_RUNS=5 BENCH_SYNC_BATCH=500
 *        BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Client, Pool } from 'pg';
import { createDataSource, runMigrations, type DataSourceSettings } from '@pjs/database';
import { dbuMigrations } from '@pjs/dbu';
import { imMigrations } from '@pjs/im';
import { createTestUser, createTestVhost, type TestUser } from '@pjs/testing';

const num = (name: string, fallback: number): number => {
  const value = process.env[name];
  const n = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number`);
  return n;
};

const settings = {
  items: num('BENCH_SYNC_ITEMS', 1000),
  runs: num('BENCH_SYNC_RUNS', 5),
  batch: Math.min(num('BENCH_SYNC_BATCH', 500), 500),
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

/** The built entry points of the two packages (run as deployed, not imported). */
const DBU_DIST = join(dirname(require.resolve('@pjs/dbu/package.json')), 'dist');
const IM_DIST = join(dirname(require.resolve('@pjs/im/package.json')), 'dist');

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

/** A fresh database with the service's migrations; returns its URL and a user of it. */
async function migratedDatabase(
  label: string,
  migrations: DataSourceSettings['migrations'],
): Promise<{ url: string; name: string; user: TestUser }> {
  const name = `bench_sync_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: settings.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(settings.postgresUrl, name);
  const dataSource = createDataSource({ url, migrations });
  await dataSource.initialize();
  await runMigrations(dataSource);
  const user = await createTestUser(dataSource, { username: `bench-${label}` });
  await dataSource.destroy();
  return { url, name, user };
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new Client({ connectionString: settings.postgresUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}

/** Starts a built entry point and waits until `healthUrl` answers 200. */
async function startProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  healthUrl: string,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const up = await fetch(healthUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return child;
    if (Date.now() > deadline) throw new Error(`${name} did not become healthy within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function seedCatalogue(dbuUrl: string, itemNos: string[]): Promise<void> {
  const client = new Client({ connectionString: dbuUrl });
  await client.connect();
  await client.query(`
    INSERT INTO licenses (name, name_key) VALUES ('Star Wars', 'star wars');
    INSERT INTO categories (name, path) VALUES ('Figures', 'Toys/Figures');
    INSERT INTO manufacturers (name, name_key, street, postal_code, city, country, email)
      VALUES ('Hasbro', 'hasbro', 'Main St 1', '12345', 'Berlin', 'DE', 'gpsr@hasbro.example')`);
  await client.query(
    `INSERT INTO products (item_no, title, license_id, category_id, manufacturer_id, rrp, release_date, image_url)
     SELECT n, 'Bench product ' || n, 1, 1, 1, 19.99, DATE '2026-06-01', 'http://img.example/' || n || '.jpg'
       FROM unnest($1::text[]) AS n`,
    [itemNos],
  );
  await client.query('VACUUM ANALYZE products');
  await client.end();
}

/** The reference: the same batched lookups and the same upsert, straight from this process. */
async function directSync(dbuBase: string, token: string, pool: Pool, itemNos: string[]): Promise<void> {
  for (let i = 0; i < itemNos.length; i += settings.batch) {
    const batch = itemNos.slice(i, i + settings.batch);
    const res = await fetch(`${dbuBase}/api/products/?item_no=${batch.join(',')}&page_size=${batch.length}`, {
      headers: { authorization: `Token ${token}`, accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`DBU answered ${res.status}`);
    const page = (await res.json()) as { results: Record<string, unknown>[] };
    const rows = page.results.map((p) => ({
      item_no: p.item_no,
      title: p.title,
      ean: p.ean,
      manufacturer: (p.manufacturer as { name?: string } | null)?.name ?? null,
      license: (p.license as { name?: string } | null)?.name ?? null,
      category: (p.category as { name?: string } | null)?.name ?? null,
      release_date: p.release_date,
      rrp: p.rrp,
      image_url: p.image_url,
      gpsr_complete: p.gpsr_complete ?? false,
      dbu_updated_at: p.updated_at,
    }));
    await pool.query(
      `INSERT INTO item_details AS d (item_no, title, ean, manufacturer, license, category, release_date, rrp,
              image_url, gpsr_complete, dbu_updated_at, synced_at)
       SELECT r.item_no, r.title, r.ean, r.manufacturer, r.license, r.category, r.release_date, r.rrp, r.image_url,
              r.gpsr_complete, r.dbu_updated_at, now()
         FROM jsonb_to_recordset($1::jsonb) AS r(item_no varchar, title varchar, ean varchar, manufacturer varchar,
              license varchar, category varchar, release_date date, rrp numeric, image_url text,
              gpsr_complete boolean, dbu_updated_at timestamptz)
         JOIN items i ON i.item_no = r.item_no
       ON CONFLICT (item_no) DO UPDATE SET title = EXCLUDED.title, synced_at = EXCLUDED.synced_at`,
      [JSON.stringify(rows)],
    );
  }
}

async function countDetails(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM item_details`);
  return rows[0].n;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main(): Promise<void> {
  for (const entry of [join(DBU_DIST, 'main.js'), join(IM_DIST, 'main.js'), join(IM_DIST, 'worker.js')]) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first`);
  }
  const itemNos = Array.from({ length: settings.items }, (_, i) => `SYNC-${String(i).padStart(6, '0')}`);
  const vhost = await createTestVhost('bench_sync');
  const dbuDb = await migratedDatabase('dbu', dbuMigrations);
  const imDb = await migratedDatabase('im', imMigrations);
  const children: ChildProcess[] = [];
  const pool = new Pool({ connectionString: imDb.url, max: 4 });
  pool.on('error', () => undefined);
  try {
    await seedCatalogue(dbuDb.url, itemNos);
    await pool.query(`INSERT INTO items (item_no, title) SELECT n, 'ordered' FROM unnest($1::varchar[]) AS n`, [
      itemNos,
    ]);

    const dbuPort = await freePort();
    const dbuBase = `http://127.0.0.1:${dbuPort}`;
    children.push(
      await startProcess(
        'dbu-web',
        join(DBU_DIST, 'main.js'),
        { PORT: String(dbuPort), DATABASE_URL: dbuDb.url, RABBITMQ_URL: vhost.url },
        `${dbuBase}/health/`,
      ),
    );
    const imEnv = {
      DATABASE_URL: imDb.url,
      RABBITMQ_URL: vhost.url,
      DBU_BASE_URL: dbuBase,
      DBU_USERNAME: dbuDb.user.username,
      DBU_PASSWORD: dbuDb.user.password,
      SYNC_BATCH_SIZE: String(settings.batch),
      RATE_LIMIT_PER_TOKEN: '0',
      RATE_LIMIT_PER_IP: '0',
    };
    const imPort = await freePort();
    const metricsPort = await freePort();
    children.push(
      await startProcess(
        'im-web',
        join(IM_DIST, 'main.js'),
        { ...imEnv, PORT: String(imPort) },
        `http://127.0.0.1:${imPort}/health/`,
      ),
    );
    children.push(
      await startProcess(
        'im-worker',
        join(IM_DIST, 'worker.js'),
        { ...imEnv, METRICS_PORT: String(metricsPort) },
        `http://127.0.0.1:${metricsPort}/health`,
      ),
    );

    const signalMs: number[] = [];
    const directMs: number[] = [];
    // Run 0 is a warm-up (logins, JIT, plans) and is not counted.
    for (let run = 0; run <= settings.runs; run++) {
      await pool.query('DELETE FROM item_details');
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${imPort}/api/signal/`, {
        method: 'POST',
        headers: { authorization: `Token ${imDb.user.token}` },
      });
      if (res.status !== 202) throw new Error(`POST /api/signal/ answered ${res.status}`);
      const deadline = Date.now() + 120_000;
      while ((await countDetails(pool)) < settings.items) {
        if (Date.now() > deadline) throw new Error('details not filled within 120 s');
        await new Promise((r) => setTimeout(r, 5));
      }
      const signalled = performance.now() - t0;

      await pool.query('DELETE FROM item_details');
      const t1 = performance.now();
      await directSync(dbuBase, dbuDb.user.token, pool, itemNos);
      const direct = performance.now() - t1;
      if ((await countDetails(pool)) !== settings.items) throw new Error('direct sync did not fill every item');

      if (run > 0) {
        signalMs.push(signalled);
        directMs.push(direct);
      }
      process.stdout.write(
        `run ${run}${run === 0 ? ' (warm-up)' : ''}: signal → filled ${signalled.toFixed(0)} ms, direct ${direct.toFixed(0)} ms\n`,
      );
    }

    const lookups = Math.ceil(settings.items / settings.batch);
    const sig = median(signalMs);
    const dir = median(directMs);
    process.stdout.write(
      `\n${settings.items} items, ${lookups} DBU lookups of ≤ ${settings.batch} per sync, ${settings.runs} runs (median):\n` +
        `  signal → details filled: ${sig.toFixed(0)} ms (${((settings.items / sig) * 1000).toFixed(0)} items/s)\n` +
        `  direct lookups + upsert: ${dir.toFixed(0)} ms (${((settings.items / dir) * 1000).toFixed(0)} items/s)\n` +
        `  ratio signal / direct:   ${(sig / dir).toFixed(2)}x\n`,
    );
  } finally {
    for (const child of children.reverse()) {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
    }
    await pool.end();
    await dropDatabase(imDb.name);
    await dropDatabase(dbuDb.name);
    await vhost.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`sync-1k: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
