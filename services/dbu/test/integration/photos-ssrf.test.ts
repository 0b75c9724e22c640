import type { INestApplicationContext } from '@nestjs/common';
import { PhotoService } from '../../src/photos/photo.service';
import { PhotosModule } from '../../src/photos/photos.module';
import { FakeWholesaler, SECRET } from '../fakes/wholesaler.fake';
import { createDbuTestContext, createModuleContext, testConfig, type DbuTestContext } from './support/dbu-test-context';

/**
 * Server-side request forgery through photo URLs (issue 14, item 1): an import row or product write
 * names a URL, the worker fetches it. Only 127.0.0.1 (where the fake listens) is allowed through
 * OUTBOUND_ALLOWED_HOSTS; every other way to an internal address must be refused, and nothing the
 * fetch got may end up in `last_error`.
 */
describe('photo fetching refuses internal addresses', () => {
  let ctx: DbuTestContext;
  let fake: FakeWholesaler;
  let app: INestApplicationContext;
  let photos: PhotoService;

  const port = () => new URL(fake.baseUrl).port;
  const errors = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      (await ctx.dataSource.query(`SELECT item_no, last_error FROM product_photos ORDER BY item_no`)).map(
        (r: { item_no: string; last_error: string }) => [r.item_no, r.last_error],
      ),
    );

  beforeAll(async () => {
    ctx = await createDbuTestContext('photos_ssrf');
    fake = new FakeWholesaler();
    await fake.start();
    const config = await testConfig(ctx, 'amqp://unused', { PHOTO_TIMEOUT: '2s', PHOTO_MAX_ATTEMPTS: '1' });
    app = await createModuleContext(ctx, config, PhotosModule);
    photos = app.get(PhotoService);
  });

  afterAll(async () => {
    await app.close();
    await fake.stop();
    await ctx.close();
  });

  it('refuses loopback by name and literal, metadata addresses and redirects to them, without echoing bytes', async () => {
    const internal = `http://localhost:${port()}/internal/secret`;
    const urls: [string, string][] = [
      ['S-LOCALHOST', internal],
      ['S-V6-LOOPBACK', `http://[::1]:${port()}/internal/secret`],
      ['S-MAPPED', `http://[::ffff:127.0.0.2]:${port()}/internal/secret`],
      ['S-DECIMAL', `http://2130706434:${port()}/internal/secret`],
      ['S-METADATA', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
      ['S-PRIVATE', 'http://10.0.0.1/admin'],
      ['S-REDIRECT', fake.url(`/redirect?to=${encodeURIComponent(internal)}`)],
      ['S-REDIRECT-METADATA', fake.url(`/redirect?to=${encodeURIComponent('http://169.254.169.254/')}`)],
      ['S-LOOP', fake.url('/redirect-loop/0.jpg')],
      ['S-ECHO', fake.url('/internal/secret')],
      ['S-FILE', 'file:///etc/passwd'],
    ];
    for (const [itemNo, url] of urls) {
      await ctx.dataSource.query(`INSERT INTO products (item_no, title, image_url) VALUES ($1, $1, $2)`, [itemNo, url]);
    }
    const result = await photos.pass({ scope: 'missing', limit: 100 });
    expect(result).toMatchObject({ attempted: urls.length, stored: 0, failed: urls.length });

    expect(await errors()).toEqual({
      'S-LOCALHOST': 'refused: not a public address',
      'S-V6-LOOPBACK': 'refused: not a public address',
      'S-MAPPED': 'refused: not a public address',
      'S-DECIMAL': 'refused: not a public address',
      'S-METADATA': 'refused: not a public address',
      'S-PRIVATE': 'refused: not a public address',
      'S-REDIRECT': 'refused: not a public address',
      'S-REDIRECT-METADATA': 'refused: not a public address',
      'S-LOOP': 'refused: too many redirects',
      // The one allowed host served something that is not an image: a fixed reason, no bytes of it.
      'S-ECHO': 'not an image',
      'S-FILE': 'not an http(s) URL',
    });
    // Only the allowed host's answer was ever requested; the internal service behind "localhost",
    // [::1] and the redirect was never reached.
    expect(fake.hits.get('/internal/secret')).toBe(1);
    // At most 3 redirects followed: the first request and 3 more.
    expect([...fake.hits.keys()].filter((p) => p.startsWith('/redirect-loop/'))).toHaveLength(4);
    const stored = JSON.stringify(await ctx.dataSource.query(`SELECT * FROM product_photos`));
    expect(stored).not.toContain(SECRET.slice(0, 12));
    expect(JSON.stringify(result.failures)).not.toContain(SECRET.slice(0, 12));
  });
});
