/**
 * bench/dbu-import: a catalogue import end to end through a real dbu-worker process, against the
 * hand-written SQL path, in one run on one fresh database.
 *
 *   sql     — `psql \copy` of the CSV into an UNLOGGED staging table, the few lookup rows, and one
 *             `INSERT … SELECT … ON CONFLICT (item_no) DO UPDATE … WHERE … IS DISTINCT FROM …` merge
 *             (decimal commas and dates converted in SQL). No validation, history, counts or events.
 *   worker  — `services/dbu/dist/worker.js` (built): the file is stored by SHA-256 and the run recorded
 *             with its job in the outbox (what `POST /api/imports/` does), the worker's relay publishes
 *             the job, the worker parses, validates, COPYs, merges, writes history, the run and the event;
 *             timed until the run is committed.
 *
 * Phases, in this order: SQL first import (empty catalogue), worker first import (emptied again),
 * worker re-import of the unchanged file (`force`: the same bytes are otherwise a duplicate), SQL
 * re-run on the same catalogue, and a worker import of an XLSX file (BENCH_XLSX_ROWS rows, into an
 * emptied catalogue). The worker's peak RSS is read from /proc (VmHWM, reset before each phase).
 *
 *   pnpm build && pnpm --filter @pjs/bench dbu-import
 *   env: BENCH_ROWS=1000000 BENCH_XLSX_ROWS=100000 BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
 *        BENCH_DATA_DIR=/tmp/pjs-bench-dbu-import (generated files are kept there) BENCH_WORKER_NODE_ARGS=""
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stream as excelStream } from 'exceljs';
import { Client } from 'pg';
import { createDataSource, runMigrations, withDatabase } from '@pjs/database';
import { createImportServices, dbuMigrations, loadDbuConfig, type ImportRunRow } from '@pjs/dbu';
import { createLogger } from '@pjs/logger';
import { createTestVhost, writeCatalogue } from '@pjs/testing';

const num = (name: string, fallback: number): number => {
  const value = process.env[name];
  const n = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number`);
  return n;
};

const root = join(__dirname, '..', '..');
const settings = {
  rows: num('BENCH_ROWS', 1_000_000),
  xlsxRows: num('BENCH_XLSX_ROWS', 100_000),
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  dataDir: process.env.BENCH_DATA_DIR ?? '/tmp/pjs-bench-dbu-import',
  workerNodeArgs: (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
  worker: join(root, 'services', 'dbu', 'dist', 'worker.js'),
};

const CATALOGUE_TABLES = 'products, manufacturers, licenses, categories, product_history, product_photos';
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

interface Phase {
  name: string;
  seconds: number;
  rows: number;
  rssMb?: number;
  /** CPU seconds of the worker process and of all PostgreSQL processes during the phase. */
  cpu?: { worker: number; postgres: number };
  run?: ImportRunRow;
}

async function main(): Promise<void> {
  if (!existsSync(settings.worker)) throw new Error(`${settings.worker} is missing: run pnpm build first`);
  await mkdir(settings.dataDir, { recursive: true });
  const csv = await generate(settings.rows, 7);
  const xlsx = await xlsxOf(await generate(settings.xlsxRows, 11));
  const csvMb = (await stat(csv)).size / 1024 / 1024;

  const dbName = `bench_dbu_import_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: withDatabase(settings.postgresUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = withDatabase(settings.postgresUrl, dbName);
  const dataSource = createDataSource({ url, migrations: dbuMigrations, poolSize: 4 });
  await dataSource.initialize();
  await runMigrations(dataSource);
  const vhost = await createTestVhost('bench_dbu_import');
  const mediaDir = join(settings.dataDir, `media-${dbName}`);
  const logger = createLogger({ service: 'bench', process: 'cli', level: 'warn', stream: process.stderr });
  const services = await createImportServices(
    await loadDbuConfig({ DATABASE_URL: url, MEDIA_DIR: mediaDir, IMPORT_MAX_ATTEMPTS: '1' }),
    dataSource,
    logger,
  );
  let worker: ChildProcess | undefined;
  const phases: Phase[] = [];
  try {
    const port = await freePort();
    worker = spawn(process.execPath, [...settings.workerNodeArgs, settings.worker], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        RABBITMQ_URL: vhost.url,
        MEDIA_DIR: mediaDir,
        METRICS_PORT: String(port),
        LOG_LEVEL: 'warn',
        DB_POOL_SIZE: '4',
        PHOTOS_AFTER_IMPORT: 'false',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitHealthy(port);
    const pid = worker.pid!;

    const truncate = () => dataSource.query(`TRUNCATE ${CATALOGUE_TABLES} RESTART IDENTITY CASCADE`);
    const vacuum = () => dataSource.query(`VACUUM ANALYZE products`);

    await truncate();
    phases.push(await sqlPath('SQL first import (psql \\copy + one merge)', url, csv, settings.rows));
    await truncate();
    await vacuum();
    phases.push(await workerPath('worker first import', csv, settings.rows, pid));
    await vacuum();
    phases.push(await workerPath('worker re-import, unchanged file', csv, settings.rows, pid, true));
    phases.push(await sqlPath('SQL re-run, unchanged file', url, csv, settings.rows));
    await truncate();
    phases.push(await workerPath(`worker XLSX import (${settings.xlsxRows} rows)`, xlsx, settings.xlsxRows, pid));
  } finally {
    worker?.kill('SIGTERM');
    await services.close();
    await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await vhost.drop().catch(() => undefined);
    await rm(mediaDir, { recursive: true, force: true });
  }

  report(phases, csvMb);

  async function workerPath(name: string, file: string, rows: number, pid: number, force = false): Promise<Phase> {
    log(`${name} …`);
    await resetPeakRss(pid);
    const cpuBefore = await cpuSeconds(pid);
    const started = performance.now();
    const stored = await services.media.saveLocalFile(file);
    const submission = await services.requests.submit({
      kind: 'catalogue',
      file: stored,
      errorPolicy: 'apply-valid',
      dryRun: false,
      force,
      source: 'upload',
      requestedBy: 'bench',
      enqueue: true,
    });
    if (submission.duplicate) throw new Error(`${file} was imported before`);
    let run: ImportRunRow | undefined;
    for (;;) {
      run = await services.runs.get(submission.run.id);
      if (run && !['queued', 'running'].includes(run.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    if (run.status !== 'succeeded') throw new Error(`${name}: ${run.status} ${run.error ?? ''}`);
    const rssMb = await peakRssMb(pid);
    const cpu = cpuSpent(cpuBefore, await cpuSeconds(pid));
    log(
      `${name}: ${seconds.toFixed(1)} s, peak RSS ${rssMb} MB, CPU worker ${cpu.worker} s, PostgreSQL ${cpu.postgres} s`,
    );
    return { name, seconds, rows, rssMb, cpu, run };
  }
}

/** The hand-written SQL path in psql, timed from start to end of the process. */
async function sqlPath(name: string, url: string, csv: string, rows: number): Promise<Phase> {
  log(`${name} …`);
  const script = join(settings.dataDir, 'sql-path.sql');
  await writeFile(script, sqlScript(csv));
  const cpuBefore = await cpuSeconds();
  const started = performance.now();
  const result = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-f', script], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr || result.error?.message}`);
  // The backend's CPU time reaches the postmaster's children total once it has been reaped.
  await new Promise((r) => setTimeout(r, 500));
  const cpu = cpuSpent(cpuBefore, await cpuSeconds());
  log(`${name}: ${seconds.toFixed(1)} s, CPU PostgreSQL ${cpu.postgres} s`);
  return { name, seconds, rows, cpu };
}

function sqlScript(csv: string): string {
  const decimal = (c: string) => `replace(replace(nullif(s.${c}, ''), '.', ''), ',', '.')::numeric`;
  return `
DROP TABLE IF EXISTS bench_stage;
CREATE UNLOGGED TABLE bench_stage (item_no text, ean text, title text, manufacturer text, license text, category text,
  ek text, uvp text, release text, weight text, image text, description text);
\\copy bench_stage FROM '${csv}' WITH (FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'UTF8')
BEGIN;
INSERT INTO manufacturers (name, name_key) SELECT DISTINCT manufacturer, lower(manufacturer) FROM bench_stage
 WHERE manufacturer <> '' ON CONFLICT (name_key) DO NOTHING;
INSERT INTO licenses (name, name_key) SELECT DISTINCT license, lower(license) FROM bench_stage
 WHERE license <> '' ON CONFLICT (name_key) DO NOTHING;
INSERT INTO categories (name, path) SELECT DISTINCT split_part(category, ' > ', 1), split_part(category, ' > ', 1)
  FROM bench_stage WHERE category <> '' ON CONFLICT (path) DO NOTHING;
INSERT INTO categories (name, parent_id, path) SELECT DISTINCT split_part(s.category, ' > ', 2), p.id, s.category
  FROM bench_stage s JOIN categories p ON p.path = split_part(s.category, ' > ', 1)
 WHERE s.category LIKE '% > %' ON CONFLICT (path) DO NOTHING;
INSERT INTO products (item_no, ean, title, description, manufacturer_id, license_id, category_id, purchase_price, rrp,
                      release_date, weight_kg, image_url)
SELECT s.item_no, nullif(s.ean, ''), s.title, nullif(s.description, ''), m.id, l.id, c.id, ${decimal('ek')}, ${decimal('uvp')},
       to_date(nullif(s.release, ''), 'DD.MM.YYYY'), replace(nullif(s.weight, ''), ',', '.')::numeric, nullif(s.image, '')
  FROM bench_stage s
  LEFT JOIN manufacturers m ON m.name_key = lower(s.manufacturer)
  LEFT JOIN licenses l ON l.name_key = lower(s.license)
  LEFT JOIN categories c ON c.path = s.category
ON CONFLICT (item_no) DO UPDATE SET ean = EXCLUDED.ean, title = EXCLUDED.title, description = EXCLUDED.description,
  manufacturer_id = EXCLUDED.manufacturer_id, license_id = EXCLUDED.license_id, category_id = EXCLUDED.category_id,
  purchase_price = EXCLUDED.purchase_price, rrp = EXCLUDED.rrp, release_date = EXCLUDED.release_date,
  weight_kg = EXCLUDED.weight_kg, image_url = EXCLUDED.image_url, updated_at = now()
WHERE (products.ean, products.title, products.description, products.manufacturer_id, products.license_id,
       products.category_id, products.purchase_price, products.rrp, products.release_date, products.weight_kg,
       products.image_url)
  IS DISTINCT FROM (EXCLUDED.ean, EXCLUDED.title, EXCLUDED.description, EXCLUDED.manufacturer_id, EXCLUDED.license_id,
       EXCLUDED.category_id, EXCLUDED.purchase_price, EXCLUDED.rrp, EXCLUDED.release_date, EXCLUDED.weight_kg,
       EXCLUDED.image_url);
COMMIT;
DROP TABLE bench_stage;
`;
}

function report(phases: Phase[], csvMb: number): void {
  const [sqlFirst, workerFirst, workerAgain, sqlAgain, xlsx] = phases as [Phase, Phase, Phase, Phase, Phase];
  const rate = (p: Phase) => Math.round(p.rows / p.seconds);
  const lines = [
    '',
    `dbu-import: ${settings.rows} rows (CSV ${csvMb.toFixed(0)} MB), XLSX ${settings.xlsxRows} rows`,
    '',
    '| phase | time | rows/s | worker / SQL | worker peak RSS | CPU worker / PostgreSQL |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row(sqlFirst),
    row(workerFirst, workerFirst.seconds / sqlFirst.seconds),
    row(sqlAgain),
    row(workerAgain, workerAgain.seconds / sqlAgain.seconds),
    row(xlsx),
    '',
    `worker first import: ${steps(workerFirst.run)}`,
    `worker re-import:    ${steps(workerAgain.run)}`,
    `worker XLSX:         ${steps(xlsx.run)}`,
    '',
    `goals: first import ≤ 1.5x SQL → ${(workerFirst.seconds / sqlFirst.seconds).toFixed(2)}x; ` +
      `unchanged re-import ≤ 1.0x → ${(workerAgain.seconds / sqlAgain.seconds).toFixed(2)}x; ` +
      `peak RSS ≤ 300 MB → ${Math.max(...phases.map((p) => p.rssMb ?? 0))} MB`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({ rows: settings.rows, xlsx_rows: settings.xlsxRows, phases: phases.map(({ run: _run, ...p }) => p) })}\n`,
  );

  function row(p: Phase, ratio?: number): string {
    const cpu = p.cpu ? `${p.rssMb === undefined ? '–' : `${p.cpu.worker} s`} / ${p.cpu.postgres} s` : '';
    return `| ${p.name} | ${p.seconds.toFixed(1)} s | ${rate(p)} | ${ratio === undefined ? '' : `**${ratio.toFixed(2)}x**`} | ${p.rssMb === undefined ? '' : `${p.rssMb} MB`} | ${cpu} |`;
  }
}

function steps(run: ImportRunRow | undefined): string {
  if (!run) return '';
  const t = (run.details?.timings_ms ?? {}) as Record<string, number>;
  return Object.entries(t)
    .filter(([, ms]) => ms >= 50)
    .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
    .join(', ');
}

/** The generator's CSV with `rows` rows (kept in BENCH_DATA_DIR between runs). */
async function generate(rows: number, seed: number): Promise<string> {
  const path = join(settings.dataDir, `catalogue-${rows}-${seed}.csv`);
  if (existsSync(path)) return path;
  log(`generating ${rows} rows …`);
  await writeCatalogue(`${path}.part`, rows, { seed });
  await rename(`${path}.part`, path);
  return path;
}

/**
 * The same catalogue as an XLSX sheet as Excel saves it: numbers and dates as such, texts in the
 * shared-string table.
 */
async function xlsxOf(csv: string): Promise<string> {
  const path = csv.replace(/\.csv$/, '-shared-strings.xlsx');
  if (existsSync(path)) return path;
  log(`writing ${path} …`);
  const workbook = new excelStream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: true });
  const sheet = workbook.addWorksheet('Artikel');
  const lines = createInterface({ input: createReadStream(csv, 'utf8'), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    const cells = splitCsvLine(line);
    if (header) {
      sheet.addRow(cells).commit();
      header = false;
      continue;
    }
    const [d, m, y] = cells[8].split('.').map(Number) as [number, number, number];
    const number = (v: string) => Number(v.replace(',', '.'));
    sheet
      .addRow([
        cells[0],
        cells[1],
        cells[2],
        cells[3],
        cells[4],
        cells[5],
        number(cells[6]),
        number(cells[7]),
        new Date(Date.UTC(y, m - 1, d)),
        number(cells[9]),
        cells[10],
        cells[11],
      ])
      .commit();
  }
  sheet.commit();
  await workbook.commit();
  return path;
}

/** The generator's lines: `;`-separated, only the last field quoted (no line breaks inside). */
function splitCsvLine(line: string): string[] {
  const quoted = line.indexOf(';"');
  const head = quoted >= 0 ? line.slice(0, quoted) : line;
  const cells = head.split(';');
  if (quoted >= 0) cells.push(line.slice(quoted + 2, -1).replace(/""/g, '"'));
  return cells;
}

interface CpuReading {
  worker: number;
  postgres: number;
}

/** CPU seconds (user + system) so far of the worker and of every process named `postgres`. */
async function cpuSeconds(workerPid?: number): Promise<CpuReading> {
  const ticks = 100; // USER_HZ on Linux
  // With the children's reaped time (cutime, cstime), so backends that ended still count (the postmaster reaps them).
  const of = async (pid: string | number): Promise<{ comm: string; seconds: number } | undefined> => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (!stat) return undefined;
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      comm,
      seconds: (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / ticks,
    };
  };
  let postgres = 0;
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const proc = await of(pid);
    if (proc?.comm === 'postgres') postgres += proc.seconds;
  }
  const worker = workerPid === undefined ? 0 : ((await of(workerPid))?.seconds ?? 0);
  return { worker, postgres };
}

/** Spent between two readings, rounded to 0.1 s. */
function cpuSpent(before: CpuReading, after: CpuReading): CpuReading {
  const round = (n: number) => Math.round(n * 10) / 10;
  return { worker: round(after.worker - before.worker), postgres: round(after.postgres - before.postgres) };
}

async function resetPeakRss(pid: number): Promise<void> {
  // Linux: writing 5 resets the peak RSS (VmHWM) to the current RSS.
  await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined);
}

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function waitHealthy(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('dbu-worker did not become healthy');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
