import { type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { startDnsFake, type DnsFake } from '../../test/fakes/dns-fake';
import { nginxTest, renderNginx, startNginx, stopProcess, type RenderedNginx } from './support/nginx';
import { describeWithTools, freePort, waitFor } from './support/tools';

const DBU = 'dbu.pjs.test';
const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(4000, 3)]);
const NAME = `${createHash('sha256').update(PHOTO).digest('hex')}.jpg`;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The location of 40-dbu.conf.template that proxies and caches dbu-web's stored photos. */
describeWithTools(['nginx', 'openssl'], 'nginx: /media/photos/ on the DBU host (proxied and cached)', () => {
  let rendered: RenderedNginx;
  let nginx: ChildProcess | undefined;
  let upstream: Server;
  let httpsPort: number;
  let ca: string;
  let dns: DnsFake | undefined;
  const hits: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];

  /** A stand-in for dbu-web's photo route: the photo with a year's immutable caching, 404 otherwise. */
  function fakeDbuWeb(): Promise<number> {
    upstream = createServer((req, res) => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      if (req.url === `/media/photos/${NAME}`) {
        res.writeHead(200, {
          'content-type': 'image/jpeg',
          'content-length': PHOTO.length,
          etag: `W/"${PHOTO.length}-1"`,
          'last-modified': new Date(0).toUTCString(),
          'cache-control': 'public, max-age=31536000, immutable',
          'accept-ranges': 'bytes',
        });
        res.end(PHOTO);
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"not_found"}');
    });
    return new Promise((resolve) =>
      upstream.listen(0, '127.0.0.1', () => resolve((upstream.address() as { port: number }).port)),
    );
  }

  function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: httpsPort,
          servername: DBU,
          path,
          method,
          headers: { host: DBU, ...headers },
          ca,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    const dbuPort = await fakeDbuWeb();
    dns = await startDnsFake({ 'dbu-web': '127.0.0.1', 'im-web': '127.0.0.1' });
    httpsPort = await freePort();
    rendered = renderNginx(
      {
        PJS_HTTP_PORT: String(await freePort()),
        PJS_HTTPS_PORT: String(httpsPort),
        PJS_STATUS_PORT: String(await freePort()),
        PJS_SERVER_NAME_STATUS: 'status.pjs.test',
        PJS_SERVER_NAME_DBU: DBU,
        PJS_SERVER_NAME_IM: 'im.pjs.test',
        PJS_UPSTREAM_IS: 'is-web:8000',
        PJS_UPSTREAM_DBU: `dbu-web:${dbuPort}`,
        PJS_UPSTREAM_IM: 'im-web:9',
      },
      [DBU, 'status.pjs.test', 'im.pjs.test'],
      { resolver: dns.address, allowlists: { admin: '127.0.0.1', internal: '', nodeEnv: 'development' } },
    );
    ca = readFileSync(rendered.certFile, 'utf8');
    const check = nginxTest(rendered);
    if (check.status !== 0) throw new Error(check.stderr);
    nginx = startNginx(rendered);
    await waitFor(
      async () => ((await get('/media/photos/warm-up').catch(() => undefined))?.status === 404 ? true : undefined),
      10_000,
      'nginx to listen',
    );
    hits.length = 0;
  });

  afterAll(async () => {
    await stopProcess(nginx);
    await new Promise<void>((resolve) => upstream?.close(() => resolve()));
    upstream?.closeAllConnections();
    await dns?.close();
    if (rendered) rmSync(rendered.dir, { recursive: true, force: true });
  });

  it('fetches a photo from dbu-web once and answers repeats from its cache', async () => {
    const first = await get(`/media/photos/${NAME}`);
    const second = await get(`/media/photos/${NAME}`);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(Buffer.compare(second.body, PHOTO)).toBe(0);
    expect(second.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(second.headers['x-content-type-options']).toBe('nosniff');
    expect(hits.filter((h) => h.url === `/media/photos/${NAME}`)).toHaveLength(1);
  });

  it('answers revalidation (304) and ranges (206) itself', async () => {
    const { headers } = await get(`/media/photos/${NAME}`);
    const revalidated = await get(`/media/photos/${NAME}`, { 'If-None-Match': String(headers.etag) });
    expect(revalidated.status).toBe(304);
    const part = await get(`/media/photos/${NAME}`, { Range: 'bytes=0-2' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 0-2/${PHOTO.length}`);
    expect(Buffer.compare(part.body, PHOTO.subarray(0, 3))).toBe(0);
    expect(hits.filter((h) => h.url === `/media/photos/${NAME}`)).toHaveLength(1);
  });

  it('is read-only and serves nothing but /media/photos/ (uploads never reach dbu-web)', async () => {
    const before = hits.length;
    expect((await get(`/media/photos/${NAME}`, {}, 'POST')).status).toBe(403);
    expect((await get(`/media/photos/${NAME}`, {}, 'DELETE')).status).toBe(403);
    expect((await get('/media/uploads/ab/abcdef')).status).toBe(404);
    expect((await get('/media/')).status).toBe(404);
    expect(hits.length).toBe(before);
    // What dbu-web refuses (any other name under the prefix) stays its 404.
    expect((await get('/media/photos/..%2Fuploads%2Fab%2Fabcdef')).status).toBe(404);
  });
});
