import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createImportServices, dbuMigrations, loadDbuConfig, type ImportServices } from '@pjs/dbu';
import { connectBroker } from '@pjs/messaging';
import {
  createMigratedDatabase,
  createTestUser,
  createTestVhost,
  waitFor,
  writeCatalogue,
  type TestUser,
  type TestVhost,
} from '@pjs/testing';
import { ImQueues } from '../../src/core/im-queues';
import { imMigrations } from '../../src/database/migrations';
import { compareWithDbu } from '../integration/support/catalogue-checker';
import { freePort, ServiceProcess } from '../integration/support/service-process';
import { seedImItems, testLogger } from '../integration/support/sync-harness';

jest.setTimeout(900_000);

const ITEMS = Number(process.env.DRILL_ITEMS ?? 10_000);
const IMPORTS = 10;
const itemNos = Array.from({ length: ITEMS }, (_, i) => `PJS-${String(i).padStart(7, '0')}`);
const DBU_ROOT = dirname(require.resolve('@pjs/dbu/package.json'));
const IM_ROOT = join(__dirname, '..', '..');

/** Progress on stderr when TEST_LOG is set (the drill runs for minutes). */
const step = (text: string) => {
  if (process.env.TEST_LOG) process.stderr.write(`[drill ${new Date().toISOString()}] ${text}\n`);
};

type Migrated = Awaited<ReturnType<typeof createMigratedDatabase>>;

/**
 * The drill of issue 16: events are lost while im-worker is down, and the changes feed heals IM.
 * Real processes: dbu-web (API, changes feed, outbox relay) and im-worker run from their entry
 * points; the imports run through DBU's import pipeline in this process.
 */
describe('drill: im-worker down, 10 imports of 10k items, their events purged', () => {
  let vhost: TestVhost;
  let dbuDb: Migrated;
  let imDb: Migrated;
  let user: TestUser;
  let dbuWeb: ServiceProcess;
  let imports: ImportServices;
  let mediaDir: string;
  let workerEnv: Record<string, string>;
  const workers: ServiceProcess[] = [];

  const imWorker = () => {
    const worker = new ServiceProcess(join(IM_ROOT, 'src', 'worker.ts'), workerEnv, 'im-worker started');
    workers.push(worker);
    return worker;
  };

  const importCatalogue = async (seed: number) => {
    const path = join(mediaDir, `drill-${seed}.csv`);
    await writeCatalogue(path, ITEMS, { seed });
    const file = await imports.media.saveLocalFile(path);
    const submission = await imports.requests.submit({
      kind: 'catalogue',
      file,
      errorPolicy: 'apply-valid',
      dryRun: false,
      force: true,
      source: 'cli',
      requestedBy: 'drill',
      enqueue: false,
    });
    if (submission.duplicate) throw new Error('unexpected duplicate import');
    await imports.runner.execute(submission.run.id, { finalAttempt: true });
    const [run] = await dbuDb.dataSource.query<{ status: string }[]>(`SELECT status FROM import_runs WHERE id = $1`, [
      submission.run.id,
    ]);
    expect(run?.status).toBe('succeeded');
  };

  const unpublished = async () =>
    (
      await dbuDb.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM outbox_messages WHERE published_at IS NULL`,
      )
    )[0].n;

  const differences = () => compareWithDbu(imDb.dataSource, dbuDb.dataSource, itemNos);

  beforeAll(async () => {
    vhost = await createTestVhost('im_drill');
    dbuDb = await createMigratedDatabase('drill_dbu', { migrations: dbuMigrations, poolSize: 4 });
    imDb = await createMigratedDatabase('drill_im', { migrations: imMigrations, poolSize: 2 });
    user = await createTestUser(dbuDb.dataSource, { username: 'im-sync' });
    mediaDir = await mkdtemp(join(tmpdir(), 'im-drill-'));
    const port = await freePort();
    dbuWeb = new ServiceProcess(
      join(DBU_ROOT, 'src', 'main.ts'),
      { DATABASE_URL: dbuDb.db.url, RABBITMQ_URL: vhost.url, PORT: String(port), LOG_LEVEL: 'info' },
      'dbu-web listening',
    );
    await dbuWeb.start();
    const config = await loadDbuConfig({
      DATABASE_URL: dbuDb.db.url,
      MEDIA_DIR: mediaDir,
      LOG_LEVEL: 'error',
      PHOTOS_AFTER_IMPORT: 'false',
    });
    imports = await createImportServices(config, dbuDb.dataSource, testLogger('dbu-import'));
    await seedImItems(imDb.dataSource, itemNos);
    workerEnv = {
      DATABASE_URL: imDb.db.url,
      RABBITMQ_URL: vhost.url,
      DBU_BASE_URL: `http://127.0.0.1:${port}`,
      DBU_USERNAME: user.username,
      DBU_PASSWORD: user.password,
      DBU_TIMEOUT: '30s',
      METRICS_PORT: '0',
      RECONCILE_INTERVAL: '20s',
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    await dbuWeb?.stop();
    await imports?.close();
    await imDb?.close();
    await dbuDb?.close();
    await vhost?.drop();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  it('heals every affected item from the changes feed in the first reconcile, without duplicates', async () => {
    // Before: im-worker follows the catalogue through the events; IM equals DBU.
    const first = imWorker();
    await first.start();
    step('first im-worker started');
    await importCatalogue(1);
    step('initial import done');
    await waitFor(async () => (await differences()).length === 0, 300_000, 1000);

    // im-worker goes down; 10 imports change the 10k items; their events reach IM's queue...
    step('IM equals DBU');
    await first.stop();
    for (let i = 0; i < IMPORTS; i++) {
      await importCatalogue(101 + i);
      step(`import ${i + 1} of ${IMPORTS} done`);
    }
    await waitFor(async () => (await unpublished()) === 0, 120_000);
    // ...and are lost: purged from the queue before any worker sees them.
    const broker = await connectBroker({ url: vhost.url });
    try {
      const purged = await broker.channel.purgeQueue(ImQueues.catalogueUpdates.queue);
      expect(purged.messageCount).toBe(IMPORTS);
    } finally {
      await broker.close();
    }
    // The feed serves transactions below the cluster's oldest running one; sessions of other tests on
    // this PostgreSQL may hold that back for a while. Wait until the imports are below it.
    await waitFor(async () => {
      const [row] = await dbuDb.dataSource.query<{ readable: boolean }[]>(
        `SELECT coalesce(max(txid) < pg_snapshot_xmin(pg_current_snapshot()), true) AS readable FROM product_changes`,
      );
      return row?.readable;
    }, 300_000);
    const stale = await differences();
    expect(stale.length).toBeGreaterThan(0);

    // im-worker comes back: its start-up reconcile (the first of its interval) heals IM.
    step('events purged; IM is stale');
    const second = imWorker();
    await second.start();
    await waitFor(() => second.lines('catalogue reconcile finished').length >= 1, 600_000, 1000);
    const [run] = second.lines('catalogue reconcile finished');
    expect(run).toMatchObject({ outcome: 'ok', copiedAll: false });
    expect(await differences()).toEqual([]);
    // Every changed item read from the feed was written once per page that named it; no duplicates in IM.
    const [counts] = await imDb.dataSource.query<{ items: number; details: number; distinct_details: number }[]>(
      `SELECT (SELECT count(*)::int FROM items) AS items, count(*)::int AS details,
              count(DISTINCT item_no)::int AS distinct_details FROM item_details`,
    );
    expect(counts).toEqual({ items: ITEMS, details: ITEMS, distinct_details: ITEMS });
    // Nothing came through the queue after the purge: the events of the 10 imports were never processed.
    const [processed] = await imDb.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM processed_messages WHERE consumer = $1`,
      [ImQueues.catalogueUpdates.queue],
    );
    expect(processed.n).toBe(1);
    await second.stop();
  });
});
