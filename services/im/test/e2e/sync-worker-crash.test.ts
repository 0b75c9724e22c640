import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TS_REGISTER, createTestUser, createTestVhost, waitFor, type TestUser, type TestVhost } from '@pjs/testing';
import request from 'supertest';
import { ImQueues } from '../../src/core/im-queues';
import { SlowDbuProxy } from '../fakes/slow-dbu-proxy.fake';
import { startRealDbu, type RealDbu } from '../integration/support/real-dbu';
import {
  countDetails,
  holdReconcilerLock,
  seedImItems,
  startIm,
  type ImStack,
} from '../integration/support/sync-harness';

jest.setTimeout(120_000);

const ITEMS = 200;
const BATCH = 20;
const itemNos = Array.from({ length: ITEMS }, (_, i) => `K-${String(i).padStart(3, '0')}`);
const serviceRoot = join(__dirname, '..', '..');

/** The real im-worker entry point (src/worker.ts) in a child process we can SIGKILL. */
class WorkerProcess {
  private child?: ChildProcess;
  output = '';

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['-r', TS_REGISTER, join(serviceRoot, 'src', 'worker.ts')], {
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`im-worker exited (${child.exitCode}):\n${this.output}`);
      return this.output.includes('im-worker started');
    }, 60_000);
  }

  /** No shutdown, no ack: the process is gone as after a crash or an OOM kill. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}

describe('im-worker killed in the middle of a sync', () => {
  let vhost: TestVhost;
  let dbu: RealDbu;
  let slow: SlowDbuProxy;
  let im: ImStack;
  let user: TestUser;
  let releaseReconciler: (() => Promise<void>) | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost('im_worker_crash');
    dbu = await startRealDbu('worker_crash', vhost.url);
    await dbu.seed(itemNos.map((item_no) => ({ item_no, title: `Crash ${item_no}`, rrp: '1.00' })));
    // Each DBU request takes ≥ 300 ms: the sync of 10 batches runs for seconds, so it can be cut.
    slow = new SlowDbuProxy(dbu.url, 300);
    const slowUrl = await slow.start();
    im = await startIm('worker_crash', { rabbitUrl: vhost.url, dbuUrl: slowUrl, dbuUser: dbu.user });
    await seedImItems(im.dataSource, itemNos);
    user = await createTestUser(im.dataSource);
    // Only the sync request fills details here: with the reconciler in play, items the sync has
    // not reached can come from the feed and never be asked of DBU by the workers.
    releaseReconciler = await holdReconcilerLock(im.config);
  });

  afterAll(async () => {
    for (const worker of workers) await worker.kill();
    await releaseReconciler?.();
    await im?.close();
    await slow?.stop();
    await dbu?.close();
    await vhost?.drop();
  });

  function worker(): WorkerProcess {
    const w = new WorkerProcess({
      DATABASE_URL: im.config.DATABASE_URL,
      RABBITMQ_URL: im.config.RABBITMQ_URL,
      DBU_BASE_URL: im.config.DBU_BASE_URL,
      DBU_USERNAME: dbu.user.username,
      DBU_PASSWORD: dbu.user.password,
      SYNC_BATCH_SIZE: String(BATCH),
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
    });
    workers.push(w);
    return w;
  }

  it('redelivers the sync request to the next worker, which finishes it and applies each item once', async () => {
    const first = worker();
    await first.start();
    const signal = await request(im.http).post('/api/signal/').set('Authorization', `Token ${user.token}`);
    expect(signal.status).toBe(202);

    // Kill the worker once some batches are committed and before the sync is done.
    await waitFor(async () => (await countDetails(im.dataSource)) >= BATCH, 30_000, 20);
    await first.kill();
    const doneBeforeCrash = await countDetails(im.dataSource);
    expect(doneBeforeCrash).toBeGreaterThanOrEqual(BATCH);
    expect(doneBeforeCrash).toBeLessThan(ITEMS);
    const syncedBeforeCrash = new Map(
      (
        await im.dataSource.query<{ item_no: string; synced_at: Date }[]>(`SELECT item_no, synced_at FROM item_details`)
      ).map((r) => [r.item_no, r.synced_at.getTime()]),
    );
    const processedRows = () =>
      im.dataSource.query(`SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2`, [
        ImQueues.syncRequests.queue,
        signal.body.event_id,
      ]);
    expect(await processedRows()).toHaveLength(0);

    // The unacknowledged message goes back to the queue; a new worker picks it up.
    const second = worker();
    await second.start();
    await waitFor(async () => (await countDetails(im.dataSource)) === ITEMS, 60_000);
    await waitFor(async () => (await processedRows()).length === 1, 20_000);

    // Applied once: what the first worker committed was not synced again...
    const after = await im.dataSource.query<{ item_no: string; synced_at: Date }[]>(
      `SELECT item_no, synced_at FROM item_details WHERE item_no = ANY($1::varchar[])`,
      [[...syncedBeforeCrash.keys()]],
    );
    for (const row of after) expect(row.synced_at.getTime()).toBe(syncedBeforeCrash.get(row.item_no));
    // ...and no item was asked of DBU more than twice (only the batch in flight at the kill).
    const counts = slow.requestCounts();
    expect(counts.size).toBe(ITEMS);
    const askedTwice = [...counts.values()].filter((n) => n > 1).length;
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
    expect(askedTwice).toBeLessThanOrEqual(BATCH);
    expect(slow.lookups.every((batch) => batch.length <= BATCH)).toBe(true);

    expect(first.output + second.output).toContain('catalogue reconcile skipped: another one is running');
    await second.kill('SIGTERM');
  });
});
