import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { TS_REGISTER, createTestVhost, waitFor, type TestVhost } from '@pjs/testing';
import type { MergeStep } from '../../src/imports/runs/import.options';
import { createWorkerApp } from '../../src/worker.bootstrap';
import {
  createDbuTestContext,
  generateCatalogue,
  importRun,
  testConfig,
  until,
  writeFixture,
  type DbuTestContext,
} from './support/dbu-test-context';

/** Starts src/worker in a child process that stops inside the merge at `pauseAt`. */
function startChildWorker(
  env: Record<string, string>,
  pauseAt: MergeStep,
): Promise<{ child: ChildProcess; paused: Promise<string> }> {
  const child = fork(join(__dirname, 'support', 'worker-child.ts'), [], {
    execArgv: ['--require', TS_REGISTER],
    env: { ...process.env, ...env, PAUSE_AT: pauseAt },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let resolvePaused: (id: string) => void;
    const paused = new Promise<string>((r) => (resolvePaused = r));
    child.on('message', (message: { ready?: boolean; paused?: string; importId?: string }) => {
      if (message.ready) resolve({ child, paused });
      if (message.paused) resolvePaused(message.importId!);
    });
    child.on('exit', (code) => reject(new Error(`worker child exited (${code}): ${stderr}`)));
  });
}

describe('an import whose worker dies mid-way', () => {
  let ctx: DbuTestContext;
  let vhost: TestVhost;
  let survivor: INestApplicationContext | undefined;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    ctx = await createDbuTestContext('worker_crash');
    vhost = await createTestVhost('dbu_crash');
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await survivor?.close();
    await vhost.drop();
    await ctx.close();
  });

  const snapshot = () =>
    ctx.dataSource.query(
      `SELECT item_no, xmin::text AS xmin, purchase_price::text AS price FROM products ORDER BY item_no`,
    );

  it('leaves no half-merged state and is completed by the next worker', async () => {
    // A catalogue of 300 products, then a file that changes 20 of them and adds 50.
    const base = await writeFixture(ctx, 'base.csv', '');
    await generateCatalogue(base, 300, { seed: 3 });
    expect(await importRun(ctx, base)).toMatchObject({ status: 'succeeded', new_count: 300 });
    const lines = (await readFile(base, 'utf8')).trimEnd().split('\n');
    for (let i = 1; i <= 20; i += 1) {
      const cells = lines[i * 10].split(';');
      cells[6] = '7,77';
      lines[i * 10] = cells.join(';');
    }
    const extra = await writeFixture(ctx, 'extra.csv', '');
    await generateCatalogue(extra, 350, { seed: 3 });
    lines.push(...(await readFile(extra, 'utf8')).trimEnd().split('\n').slice(301));
    const second = await writeFixture(ctx, 'second.csv', `${lines.join('\n')}\n`);
    const before = await snapshot();

    const config = {
      DATABASE_URL: ctx.databaseUrl,
      RABBITMQ_URL: vhost.url,
      MEDIA_DIR: ctx.mediaDir,
      METRICS_PORT: '0',
      LOG_LEVEL: 'error',
      PHOTO_TIMEOUT: '300ms',
    };
    const started = await startChildWorker(config, 'history');
    child = started.child;
    const file = await ctx.services.media.saveLocalFile(second);
    const submission = await ctx.services.requests.submit({
      kind: 'catalogue',
      file,
      errorPolicy: 'apply-valid',
      dryRun: false,
      force: false,
      source: 'upload',
      requestedBy: 'uploader',
      enqueue: true,
    });
    if (submission.duplicate) throw new Error('duplicate');
    const id = submission.run.id;

    // The child's relay publishes the job; its import stops after writing history rows,
    // inside the merge transaction. Then the worker process dies.
    expect(await started.paused).toBe(id);
    const [midway] = await ctx.dataSource.query(`SELECT status, attempts FROM import_runs WHERE id = $1`, [id]);
    expect(midway).toEqual({ status: 'running', attempts: 1 });
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;

    // Nothing of the interrupted merge is visible: no products, no history, no event.
    await waitFor(async () => {
      const [open] = await ctx.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'dbu-worker-child'`,
      );
      return open.n === 0;
    }, 10_000).catch(() => undefined);
    expect(await snapshot()).toEqual(before);
    const [history] = await ctx.dataSource.query(
      `SELECT count(*)::int AS n FROM product_history WHERE source_ref = $1`,
      [id],
    );
    expect(history.n).toBe(0);
    const [events] = await ctx.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox_messages WHERE type = 'dbu.catalogue.imported' AND envelope -> 'data' ->> 'import_id' = $1`,
      [id],
    );
    expect(events.n).toBe(0);

    // The unacknowledged job goes back to the queue; the next worker imports it in full.
    survivor = await createWorkerApp(await testConfig(ctx, vhost.url), ctx.dataSource, ctx.logger);
    const run = await until(async () => {
      const current = await ctx.services.runs.get(id);
      return current?.status === 'succeeded' ? current : undefined;
    }, 30_000);
    expect(run).toMatchObject({ new_count: 50, changed_count: 20, unchanged_count: 280, attempts: 2 });
    const [after] = await ctx.dataSource.query(
      `SELECT count(*)::int AS products, count(*) FILTER (WHERE purchase_price = 7.77)::int AS changed FROM products`,
    );
    expect(after).toEqual({ products: 350, changed: 20 });
    const [written] = await ctx.dataSource.query(
      `SELECT count(*)::int AS n FROM product_history WHERE source_ref = $1`,
      [id],
    );
    expect(written.n).toBe(20);
  });
});
