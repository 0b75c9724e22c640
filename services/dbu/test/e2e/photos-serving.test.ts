import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

/** A stored file as PhotoFetcher leaves it: `photos/<2 hex>/<sha256>.<ext>` (or elsewhere, for the refusals). */
async function storeFile(dir: string, folder: string, content: Buffer, ext = '.jpg'): Promise<string> {
  const sha = createHash('sha256').update(content).digest('hex');
  await mkdir(join(dir, folder, sha.slice(0, 2)), { recursive: true });
  await writeFile(join(dir, folder, sha.slice(0, 2), `${sha}${ext}`), content);
  return sha;
}

/** A GET with the path sent exactly as written (no client-side normalisation of `..` or `%2F`). */
function rawGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('stored photos served by dbu-web (/media/photos/)', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let mediaDir: string;
  let port: number;
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(1000, 7)]);
  let sha: string;

  beforeAll(async () => {
    ctx = await DbuWebContext.create('photos_serving');
    mediaDir = await mkdtemp(join(tmpdir(), 'dbu-media-'));
    web = await ctx.start({ MEDIA_DIR: mediaDir, PUBLIC_BASE_URL: 'https://dbu.example.com/' });
    await web.app.listen(0, '127.0.0.1');
    port = (web.app.getHttpServer().address() as AddressInfo).port;
    sha = await storeFile(mediaDir, 'photos', jpeg);
    await ctx.dataSource.query(`INSERT INTO products (item_no, title) VALUES ('PH-1', 'With photo')`);
    await ctx.dataSource.query(
      `INSERT INTO product_photos (item_no, source_url, sha256, path, content_type, bytes, status, attempts, fetched_at)
       VALUES ('PH-1', 'https://img.example/1.jpg', $1, $2, 'image/jpeg', $3, 'stored', 1, now()),
              ('PH-1', 'https://img.example/2.jpg', NULL, NULL, NULL, NULL, 'failed', 1, NULL)`,
      [sha, join('photos', sha.slice(0, 2), `${sha}.jpg`), jpeg.length],
    );
  });

  afterAll(async () => {
    await ctx.close();
    await rm(mediaDir, { recursive: true, force: true });
  });

  const get = (path: string) => web.http().get(path);

  it('puts the served URL of each stored photo in the product (from PUBLIC_BASE_URL)', async () => {
    const res = await get('/api/products/PH-1/').set(tokenHeader(ctx.user.token)).expect(200);
    expect(res.body.photos.map((p: { file_url: string | null }) => p.file_url)).toEqual([
      `https://dbu.example.com/media/photos/${sha}.jpg`,
      null,
    ]);
    expect(res.body.photo_urls).toEqual([`https://dbu.example.com/media/photos/${sha}.jpg`]);
    const list = await get('/api/products/?item_no=PH-1').set(tokenHeader(ctx.user.token)).expect(200);
    expect(list.body.results[0].photo_urls).toEqual([`https://dbu.example.com/media/photos/${sha}.jpg`]);
  });

  it('serves the photo without a token, with an ETag and a year of immutable caching', async () => {
    const res = await get(`/media/photos/${sha}.jpg`).buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(Buffer.compare(res.body as Buffer, jpeg)).toBe(0);
    expect(res.headers.etag).toEqual(expect.any(String));
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['accept-ranges']).toBe('bytes');
  });

  it('answers 304 to a revalidation with If-None-Match', async () => {
    const first = await get(`/media/photos/${sha}.jpg`).expect(200);
    const again = await get(`/media/photos/${sha}.jpg`).set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.text ?? '').toBe('');
  });

  it('answers ranges with 206, and 416 outside the file', async () => {
    const part = await get(`/media/photos/${sha}.jpg`).set('Range', 'bytes=0-3').buffer(true);
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 0-3/${jpeg.length}`);
    expect(Buffer.compare(part.body as Buffer, jpeg.subarray(0, 4))).toBe(0);
    const outside = await get(`/media/photos/${sha}.jpg`).set('Range', `bytes=${jpeg.length + 10}-`);
    expect(outside.status).toBe(416);
    expect(outside.headers['content-range']).toBe(`bytes */${jpeg.length}`);
  });

  it('never serves uploads, other files, links or anything outside the photos folder', async () => {
    const upload = await storeFile(mediaDir, 'uploads', Buffer.from('Artikelnummer;Bezeichnung\nA;secret\n'), '');
    // An upload under a photo-like name reached through a symbolic link (file) ...
    await mkdir(join(mediaDir, 'photos', upload.slice(0, 2)), { recursive: true });
    await symlink(
      join(mediaDir, 'uploads', upload.slice(0, 2), upload),
      join(mediaDir, 'photos', upload.slice(0, 2), `${upload}.jpg`),
    );
    // ... and through a linked shard folder.
    const other = await storeFile(mediaDir, 'elsewhere', Buffer.from('not a photo of ours'));
    await symlink(join(mediaDir, 'elsewhere', other.slice(0, 2)), join(mediaDir, 'photos', other.slice(0, 2)));
    await writeFile(join(mediaDir, 'photos', '.env'), 'SECRET=1');

    const refused = [
      `/media/photos/${upload}.jpg`,
      `/media/photos/${other}.jpg`,
      `/media/photos/${upload}`,
      `/media/photos/..%2Fuploads%2F${upload.slice(0, 2)}%2F${upload}`,
      `/media/photos/..%2f..%2fetc%2fpasswd`,
      `/media/photos/%2e%2e/uploads/${upload.slice(0, 2)}/${upload}`,
      `/media/photos/../uploads/${upload.slice(0, 2)}/${upload}`,
      `/media/photos/${sha.slice(0, 2)}%2F${sha}.jpg`,
      `/media/photos/${sha.slice(0, 2)}/${sha}.jpg`,
      `/media/photos/.env`,
      `/media/photos/${sha.toUpperCase()}.jpg`,
      `/media/photos/${'0'.repeat(64)}.jpg`,
      `/media/uploads/${upload.slice(0, 2)}/${upload}`,
      `/media/photos/`,
    ];
    const statuses = await Promise.all(refused.map((path) => rawGet(port, path)));
    expect(Object.fromEntries(refused.map((path, i) => [path, statuses[i]]))).toEqual(
      Object.fromEntries(refused.map((path) => [path, 404])),
    );
    // A NUL never gets as far as a file name: the request pipeline refuses it.
    expect(await rawGet(port, `/media/photos/${sha}.jpg%00.png`)).toBe(400);
  });

  it('is read-only: writes to a photo are not routes', async () => {
    const res = await web.http().put(`/media/photos/${sha}.jpg`).set(tokenHeader(ctx.admin.token)).send('x');
    expect([404, 405]).toContain(res.status);
    const del = await web.http().delete(`/media/photos/${sha}.jpg`).set(tokenHeader(ctx.admin.token));
    expect([404, 405]).toContain(del.status);
  });
});
