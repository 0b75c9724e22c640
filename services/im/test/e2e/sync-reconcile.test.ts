import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { TS_REGISTER, createTestVhost, waitFor, type TestVhost } from '@pjs/testing';
import { CatalogueReconciler } from '../../src/sync/catalogue-reconciler';
import { startRealDbu, type DbuSeedProduct, type RealDbu } from '../integration/support/real-dbu';
import {
  detailsOf,
  holdReconcilerLock,
  metric,
  seedImItems,
  startIm,
  type ImStack,
} from '../integration/support/sync-harness';

jest.setTimeout(180_000);

const catalogue = (title: string): DbuSeedProduct[] =>
  Array.from({ length: 12 }, (_, i) => ({
    item_no: `R-${String(i).padStart(2, '0')}`,
    title: `${title} ${i}`,
    license: 'Marvel',
    rrp: '9.99',
  }));
/** IM holds R-00..R-09; exist only in DBU. */
const ours = catalogue('x')
  .slice(0, 10)
  .map((p) => p.item_no);

const titles = async (im: ImStack): Promise<Map<string, string>> =>
  new Map(
    (await im.dataSource.query<{ item_no: string; title: string }[]>(`SELECT item_no, title FROM item_details`)).map(
      (r) => [r.item_no, r.title],
    ),
  );

/** `pnpm im <args>` on the sources. */
function imCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', TS_REGISTER, join(__dirname, '..', '..', 'src', 'cli.ts'), ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('im-worker reconciles item details from DBU’s changes feed', () => {
  let vhost: TestVhost;
  let dbu: RealDbu;
  let im: ImStack;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    vhost = await createTestVhost('im_reconcile');
    dbu = await startRealDbu('reconcile', vhost.url);
    await dbu.seed(catalogue('First'));
    im = await startIm('reconcile', {
      rabbitUrl: vhost.url,
      dbuUrl: dbu.url,
      dbuUser: dbu.user,
      RECONCILE_INTERVAL: '1s',
      SYNC_BATCH_SIZE: '4',
    });
    await seedImItems(im.dataSource, ours);
    worker = await im.startWorker();
    // The first run starts at the feed's head.
    await waitFor(async () => (await im.dataSource.query(`SELECT cursor FROM dbu_feed_cursor`))[0].cursor !== null);
  });

  afterAll(async () => {
    await im?.close();
    await dbu?.close();
    await vhost?.drop();
  });

  it('refreshes the items of ours that DBU changed, without any event, within an interval', async () => {
    const refreshedBefore = await metric('im_reconcile_items_total', { result: 'refreshed' });
    await dbu.seed(catalogue('Second'));
    await waitFor(
      async () => [...(await titles(im)).values()].filter((t) => t.startsWith('Second')).length === 10,
      60_000,
    );
    const now = await titles(im);
    expect([...now.keys()].sort()).toEqual(ours);
    expect(await metric('im_reconcile_items_total', { result: 'refreshed' })).toBeGreaterThanOrEqual(
      refreshedBefore + 10,
    );
    await worker.get(CatalogueReconciler).refreshLag();
    expect(await metric('im_reconcile_lag_seconds')).toBeLessThan(60);
  });

  it('keeps the details of a product DBU deleted and counts it', async () => {
    const deletedBefore = await metric('im_reconcile_items_total', { result: 'deleted' });
    await dbu.dataSource.query(`UPDATE products SET is_deleted = true, updated_at = now() WHERE item_no = 'R-03'`);
    await waitFor(
      async () => (await metric('im_reconcile_items_total', { result: 'deleted' })) > deletedBefore,
      60_000,
    );
    expect(await detailsOf(im.dataSource, 'R-03')).toMatchObject({ title: 'Second 3' });
  });

  it('runs one reconciler at a time (PostgreSQL advisory lock)', async () => {
    const release = await holdReconcilerLock(im.config);
    try {
      const result = await worker.get(CatalogueReconciler).reconcile();
      expect(result.outcome).toBe('busy');
    } finally {
      await release();
    }
    expect((await worker.get(CatalogueReconciler).reconcile()).outcome).toBe('ok');
  });

  it('copies everything again when DBU has expired the cursor (410)', async () => {
    await im.stopWorker();
    await dbu.seed(catalogue('Third'));
    await dbu.dataSource.query(`UPDATE products SET is_deleted = false WHERE item_no = 'R-03'`);
    // DBU drops every change (retention 0): IM's cursor now lies behind the horizon.
    await dbu.dataSource.query(`
      WITH cut AS (SELECT txid, id FROM product_changes ORDER BY txid DESC, id DESC LIMIT 1),
           gone AS (DELETE FROM product_changes RETURNING 1)
      UPDATE product_changes_horizon h SET txid = cut.txid, id = cut.id FROM cut`);
    worker = await im.startWorker();
    await waitFor(async () => [...(await titles(im)).values()].every((t) => t.startsWith('Third')), 60_000);
    expect((await titles(im)).size).toBe(10);
  });

  it('pnpm im resync-catalogue forgets the details and the cursor, then copies everything', async () => {
    await im.stopWorker();
    // A transaction in another database of the cluster, older than DBU's horizon: it holds the
    // cluster's xmin, which DBU's head cursor is made of, below that horizon.
    const holder = new Client({ connectionString: im.config.DATABASE_URL });
    await holder.connect();
    let run: Awaited<ReturnType<typeof imCli>>;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      await dbu.seed(catalogue('Fourth'));
      await dbu.dataSource.query(`
        WITH cut AS (SELECT txid, id FROM product_changes ORDER BY txid DESC, id DESC LIMIT 1),
             gone AS (DELETE FROM product_changes RETURNING 1)
        UPDATE product_changes_horizon h SET txid = cut.txid, id = cut.id FROM cut`);
      await im.dataSource.query(`UPDATE item_details SET title = 'stale'`);
      run = await imCli(['resync-catalogue'], {
        DATABASE_URL: im.config.DATABASE_URL,
        DBU_BASE_URL: dbu.url,
        DBU_USERNAME: dbu.user.username,
        DBU_PASSWORD: dbu.user.password,
      });
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Exactly one copy of our 10 items (it once copied them 15 times: DBU's head lay below its
    // horizon, so every read from it answered 410 and started another copy).
    expect(run.stdout).toMatch(/^10 item\(s\) refreshed from DBU \(full copy\)/);
    const now = await titles(im);
    expect(now.size).toBe(10);
    expect([...now.values()].every((t) => t.startsWith('Fourth'))).toBe(true);
    const cursor = await im.dataSource.query<{ cursor: string | null }[]>(`SELECT cursor FROM dbu_feed_cursor`);
    expect(cursor[0].cursor).not.toBeNull();
  });
});
