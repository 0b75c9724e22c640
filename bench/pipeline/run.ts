/**
 * bench/pipeline: what our request pipeline costs per request, without a database in the answer.
 * Bare Fastify against the same routes served by a Nest controller behind createWebApp (token auth
 * from the cache, allowlist, compiled validation, access log, metrics, helmet), interleaved in
 * BENCH_SLICES slices; the table gives medians over slices of req/s and server CPU µs per request.
 *
 *   pnpm build && pnpm --filter @pjs/bench pipeline
 *   env: BENCH_DURATION_S=30 BENCH_SLICES=6 BENCH_CONNECTIONS=32 BENCH_LOG_LEVEL=info
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { authMigrations } from '@pjs/auth';
import { createDataSource, withDatabase } from '@pjs/database';
import { createTestUser } from '@pjs/testing';
import {
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
  connections: Math.floor(envNumber('BENCH_CONNECTIONS', 32)),
  logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};
const CONTENDERS = ['bare', 'pipeline'] as const;
type Contender = (typeof CONTENDERS)[number];
const log = (line: string) => process.stdout.write(`[pipeline] ${line}\n`);

async function main(): Promise<void> {
  const dbName = `bench_pipeline_${process.pid}`;
  const admin = new Client({ connectionString: settings.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = withDatabase(settings.postgresUrl, dbName);
  const children: ChildProcess[] = [];
  try {
    const ds = createDataSource({ url: dbUrl, migrations: authMigrations, poolSize: 1 });
    await ds.initialize();
    await ds.runMigrations();
    const { token } = await createTestUser(ds);
    await ds.destroy();

    const ports = { bare: await freePort(), pipeline: await freePort() };
    const cwd = join(__dirname, '..');
    const bare = startChild(
      'bare',
      ['--import', 'tsx', join(__dirname, 'bare-server.ts')],
      { PORT: String(ports.bare) },
      cwd,
    );
    const pipeline = startChild(
      'pipeline',
      ['--import', 'tsx', join(__dirname, 'pipeline-server.ts')],
      { PORT: String(ports.pipeline), DATABASE_URL: dbUrl, LOG_LEVEL: settings.logLevel },
      cwd,
    );
    children.push(bare, pipeline);
    const base = { bare: `http://127.0.0.1:${ports.bare}`, pipeline: `http://127.0.0.1:${ports.pipeline}` };
    const pids = { bare: bare.pid, pipeline: pipeline.pid };
    await waitHttp(`${base.bare}/api/products/x`, bare, 'bare');
    await waitHttp(`${base.pipeline}/api/products/x`, pipeline, 'pipeline');

    const auth = { authorization: `Token ${token}` };
    const scenarios: Record<string, LoadRequest[]> = {
      'GET lookup': Array.from({ length: 100 }, (_, i) => ({ path: `/api/products/PJS-${i}/`, headers: auth })),
      'POST reduce': Array.from({ length: 100 }, (_, i) => ({
        method: 'POST',
        path: '/api/reduce-stock/',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ item_no: `PJS-${i}`, amount: '1' }),
      })),
    };
    const sliceS = Math.max(1, Math.round(settings.durationS / settings.slices));
    const rows: string[] = [];
    for (const [scenario, requests] of Object.entries(scenarios)) {
      for (const c of CONTENDERS) await loadSlice(base[c], requests, { connections: settings.connections, seconds: 2 });
      const perSlice: Record<Contender, { rps: number[]; cpu: number[]; tally: Tally }> = {
        bare: { rps: [], cpu: [], tally: new Tally() },
        pipeline: { rps: [], cpu: [], tally: new Tally() },
      };
      for (let s = 0; s < settings.slices; s++) {
        const order = s % 2 ? [...CONTENDERS].reverse() : CONTENDERS;
        for (const c of order) {
          const tally = new Tally();
          await loadSlice(base[c], requests, {
            connections: settings.connections,
            seconds: sliceS,
            tally,
            serverPid: pids[c],
          });
          if (tally.non2xx || tally.errors)
            throw new Error(`${c} ${scenario}: ${tally.non2xx} non-2xx, ${tally.errors} errors`);
          perSlice[c].rps.push(tally.rps);
          perSlice[c].cpu.push(tally.cpuPerRequestUs);
        }
        log(`${scenario}: slice ${s + 1}/${settings.slices}`);
      }
      const b = perSlice.bare;
      for (const c of CONTENDERS) {
        const t = perSlice[c];
        rows.push(
          `| ${scenario} | ${c} | ${median(t.rps).toFixed(0)} | ${(median(t.rps) / median(b.rps)).toFixed(2)}x | ` +
            `${median(t.cpu).toFixed(1)} | +${(median(t.cpu) - median(b.cpu)).toFixed(1)} |`,
        );
      }
    }
    process.stdout.write(
      `\n${settings.connections} connections, ${settings.slices} interleaved slices of ${sliceS} s, LOG_LEVEL=${settings.logLevel}\n` +
        `| scenario | contender | req/s (median) | vs bare | server CPU µs/req (median) | CPU over bare µs |\n` +
        `| --- | --- | ---: | ---: | ---: | ---: |\n${rows.join('\n')}\n`,
    );
  } finally {
    for (const child of children) await stopChild(child);
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`pipeline: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
