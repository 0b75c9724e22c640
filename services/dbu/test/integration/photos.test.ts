import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { PhotoService } from '../../src/photos/photo.service';
import { PhotosModule } from '../../src/photos/photos.module';
import { FakeWholesaler, imageBytes } from '../fakes/wholesaler.fake';
import { createDbuTestContext, createModuleContext, testConfig, type DbuTestContext } from './support/dbu-test-context';

describe('photo fetching against the fake wholesaler', () => {
  let ctx: DbuTestContext;
  let fake: FakeWholesaler;
  let app: INestApplicationContext;
  let photos: PhotoService;

  const addProducts = async (entries: [string, string][]) => {
    for (const [itemNo, path] of entries) {
      await ctx.dataSource.query(`INSERT INTO products (item_no, title, image_url) VALUES ($1, $1, $2)`, [
        itemNo,
        fake.url(path),
      ]);
    }
  };
  const photoRow = async (itemNo: string) =>
    (
      await ctx.dataSource.query(
        `SELECT status, sha256, path, content_type, bytes, attempts, last_error, next_attempt_at FROM product_photos WHERE item_no = $1`,
        [itemNo],
      )
    )[0];

  beforeAll(async () => {
    ctx = await createDbuTestContext('photos');
    fake = new FakeWholesaler();
    await fake.start();
    // Far apart, so an ordinary fetch on a loaded CI machine stays well inside the timeout.
    fake.slowMs = 8000;
    fake.hugeBytes = 300 * 1024;
    const config = await testConfig(ctx, 'amqp://unused', {
      PHOTO_CONCURRENCY: '3',
      PHOTO_TIMEOUT: '2000',
      PHOTO_MAX_BYTES: String(200 * 1024),
      PHOTO_MAX_ATTEMPTS: '2',
      PHOTO_RETRY_AFTER: '60s',
    });
    app = await createModuleContext(ctx, config, PhotosModule);
    photos = app.get(PhotoService);
  });

  afterAll(async () => {
    await app.close();
    await fake.stop();
    await ctx.close();
  });

  it('stores images by hash, checks type by magic bytes and records every failure with its reason', async () => {
    await addProducts([
      ['P-JPG', '/img/figur-1.jpg'],
      ['P-PNG', '/img/poster.png'],
      ['P-SAME-A', '/img/same-a.jpg'],
      ['P-SAME-B', '/img/same-b.jpg'],
      ['P-SLOW', '/img/slow.jpg'],
      ['P-STALL', '/img/stall.jpg'],
      ['P-HUGE', '/img/huge.jpg'],
      ['P-HUGE-CHUNKED', '/img/huge-chunked.jpg'],
      ['P-HTML', '/img/page.jpg'],
      ['P-404', '/img/missing.jpg'],
    ]);
    await ctx.dataSource.query(`INSERT INTO products (item_no, title) VALUES ('P-NO-URL', 'no image')`);
    const result = await photos.pass({ scope: 'missing', limit: 100 });
    expect(result).toMatchObject({ busy: false, attempted: 10, stored: 4, failed: 6 });

    const jpg = await photoRow('P-JPG');
    expect(jpg).toMatchObject({ status: 'stored', content_type: 'image/jpeg', attempts: 1, last_error: null });
    expect(jpg.path).toBe(join('photos', jpg.sha256.slice(0, 2), `${jpg.sha256}.jpg`));
    expect(await readFile(join(ctx.mediaDir, jpg.path))).toEqual(imageBytes('figur-1', 'jpg'));
    expect(await photoRow('P-PNG')).toMatchObject({ status: 'stored', content_type: 'image/png' });
    // The same picture for two products is one file.
    expect((await photoRow('P-SAME-A')).path).toBe((await photoRow('P-SAME-B')).path);

    const reasons = Object.fromEntries(result.failures.map((f) => [f.item_no, f.error]));
    expect(reasons).toEqual({
      'P-SLOW': 'timed out',
      'P-STALL': 'timed out',
      'P-HUGE': expect.stringMatching(/larger than 204800 bytes/),
      'P-HUGE-CHUNKED': 'larger than 204800 bytes',
      'P-HTML': 'not an image',
      'P-404': 'HTTP 404',
    });
    expect(await photoRow('P-HTML')).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'not an image',
    });
    expect((await photoRow('P-404')).next_attempt_at).not.toBeNull();
  });

  it('retries failures only when due, and gives up after PHOTO_MAX_ATTEMPTS', async () => {
    await addProducts([['P-FLAKY', '/img/flaky-x.jpg']]);
    const first = await photos.pass({ scope: 'missing', limit: 100 });
    expect(first).toMatchObject({ attempted: 1, failed: 1 });
    expect((await photoRow('P-FLAKY')).last_error).toBe('HTTP 503');

    // Nothing is due yet: the next pass leaves the failures alone.
    expect(await photos.pass({ scope: 'missing', limit: 100 })).toMatchObject({ attempted: 0 });

    await ctx.dataSource.query(`UPDATE product_photos SET next_attempt_at = now() - interval '1 second'`);
    const retry = await photos.pass({ scope: 'missing', limit: 100 });
    // The flaky one works now; the others fail a second time and are given up (PHOTO_MAX_ATTEMPTS = 2).
    expect(retry).toMatchObject({ attempted: 7, stored: 1, failed: 6 });
    expect(await photoRow('P-FLAKY')).toMatchObject({ status: 'stored', attempts: 2, last_error: null });
    expect(retry.summary).toMatchObject({ stored: 5, retrying: 0, given_up: 6 });
    await ctx.dataSource.query(`UPDATE product_photos SET next_attempt_at = now() - interval '1 second'`);
    expect(await photos.pass({ scope: 'missing', limit: 100 })).toMatchObject({ attempted: 0 });
  });

  it('fetches with bounded concurrency and continues a pass after its limit', async () => {
    const entries: [string, string][] = Array.from({ length: 12 }, (_, i) => [
      `C-${String(i).padStart(2, '0')}`,
      `/img/c-${i}.jpg`,
    ]);
    await addProducts(entries);
    fake.imageDelayMs = 100;
    fake.maxInFlight = 0;
    const part = await photos.pass({ scope: 'missing', limit: 5 });
    expect(part).toMatchObject({ attempted: 5, stored: 5, continueAfter: 'C-04' });
    const rest = await photos.pass({ scope: 'missing', limit: 100, after: part.continueAfter });
    expect(rest).toMatchObject({ attempted: 7, stored: 7 });
    expect(rest.continueAfter).toBeUndefined();
    expect(fake.maxInFlight).toBe(3);
    fake.imageDelayMs = 0;
  });

  it('lets one pass run at a time across processes', async () => {
    await addProducts([['L-1', '/img/slow.jpg']]);
    await ctx.dataSource.query(`DELETE FROM product_photos WHERE item_no = 'P-SLOW'`);
    const [a, b] = await Promise.all([
      photos.pass({ scope: 'all', limit: 1000 }),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() => photos.pass({ scope: 'missing', limit: 10 })),
    ]);
    expect(a.busy).toBe(false);
    expect(b).toMatchObject({ busy: true, attempted: 0 });
  });
});
