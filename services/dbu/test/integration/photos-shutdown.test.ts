import type { INestApplicationContext } from '@nestjs/common';
import { createTestVhost, waitFor, type TestVhost } from '@pjs/testing';
import { PhotosConsumer } from '../../src/photos/photos.consumer';
import { createWorkerApp } from '../../src/worker.bootstrap';
import { FakeWholesaler } from '../fakes/wholesaler.fake';
import { createDbuTestContext, testConfig, type DbuTestContext } from './support/dbu-test-context';

const PRODUCTS = 40;
const FAST_RELAY = { idleIntervalMs: 50, retryIntervalMs: 100, maxBackoffMs: 300, publishTimeoutMs: 500 };

/**
 * dbu-worker stopping (SIGTERM → app.close()) while a photo pass runs: the broker connection's
 * close waits for running handlers, so the pass must stop first, and what it did not reach must be
 * continued, not skipped, by the next worker.
 */
describe('dbu-worker shutting down during a photo pass', () => {
  let ctx: DbuTestContext;
  let vhost: TestVhost;
  let fake: FakeWholesaler;
  const workers: INestApplicationContext[] = [];

  const startWorker = async () => {
    const config = await testConfig(ctx, vhost.url, { PHOTO_CONCURRENCY: '2', PHOTOS_AFTER_IMPORT: 'false' });
    const worker = await createWorkerApp(config, ctx.dataSource, ctx.logger, { relay: FAST_RELAY });
    workers.push(worker);
    return worker;
  };
  const storedCount = async () =>
    (await ctx.dataSource.query(`SELECT count(*)::int AS n FROM product_photos WHERE status = 'stored'`))[0]
      .n as number;
  const imageRequests = () => [...fake.hits.entries()].filter(([path]) => path.startsWith('/img/'));

  beforeAll(async () => {
    ctx = await createDbuTestContext('photos_shutdown');
    vhost = await createTestVhost('dbu_photos_shutdown');
    fake = new FakeWholesaler();
    await fake.start();
    fake.imageDelayMs = 150;
    await ctx.dataSource.query(
      `INSERT INTO products (item_no, title, image_url)
       SELECT 'S-' || lpad(n::text, 3, '0'), 'shutdown test', $1 || '/img/s-' || n || '.jpg'
         FROM generate_series(1, $2::int) AS n`,
      [fake.baseUrl, PRODUCTS],
    );
  });

  afterAll(async () => {
    for (const worker of workers) await worker.close().catch(() => undefined);
    await fake.stop();
    await vhost.drop();
    await ctx.close();
  });

  it('stops the pass before closing the broker connection, and the next worker fetches exactly the rest', async () => {
    const first = await startWorker();
    await first.get(PhotosConsumer).request({ scope: 'missing' });
    await waitFor(async () => (await storedCount()) >= 4, 20_000);

    await first.close();
    const storedAtStop = await storedCount();
    const requestsAtStop = imageRequests().length;
    expect(storedAtStop).toBeLessThan(PRODUCTS);
    // Nothing runs on after close: every started download was finished and recorded.
    expect(requestsAtStop).toBe(storedAtStop);
    const [continuation] = await ctx.dataSource.query(
      `SELECT envelope -> 'data' AS data FROM outbox_messages WHERE type = 'dbu.photos.requested' ORDER BY seq DESC LIMIT 1`,
    );
    expect(continuation.data).toEqual({
      scope: 'missing',
      after_item_no: `S-${String(storedAtStop).padStart(3, '0')}`,
    });

    // The continuation job (relayed by the next worker) covers the rest; no image is fetched twice.
    await startWorker();
    await waitFor(async () => (await storedCount()) === PRODUCTS, 30_000);
    expect(imageRequests()).toHaveLength(PRODUCTS);
    expect(imageRequests().every(([, hits]) => hits === 1)).toBe(true);
  });
});
