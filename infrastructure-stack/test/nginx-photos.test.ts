import { type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server } from 'node:http';
import { startDnsFake, type DnsFake } from '../../test/fakes/dns-fake';
import {
  SERVER_NAMES,
  closeStandIns,
  nginxTest,
  renderEdge,
  requestHttps,
  startNginx,
  startStandIn,
  stopProcess,
  waitForNginx,
  type RenderedEdge,
} from './support/nginx';
import { describeWithTools } from './support/tools';

const DBU = SERVER_NAMES.dbu;
const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(4000, 3)]);
const NAME = `${createHash('sha256').update(PHOTO).digest('hex')}.jpg`;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The location of 40-dbu.conf.template that proxies and caches dbu-web's stored photos. */
describeWithTools(['nginx', 'openssl'], 'nginx: /media/photos/ on the DBU host (proxied and cached)', () => {
  let rendered: RenderedEdge;
  let nginx: ChildProcess | undefined;
  let upstream: Server | undefined;
  let dns: DnsFake | undefined;
  const hits: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];

  /** A stand-in for dbu-web's photo route: the photo with a year's immutable caching, 404 otherwise. */
  async function fakeDbuWeb(): Promise<number> {
    const { server, port } = await startStandIn((req, res) => {
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
    upstream = server;
    return port;
  }

  /** `body` in bytes: photos are compared byte for byte. */
  async function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
    const reply = await requestHttps(rendered.tls, DBU, path, { method, headers });
    return { status: reply.status, headers: reply.headers, body: reply.raw };
  }

  beforeAll(async () => {
    const dbuPort = await fakeDbuWeb();
    dns = await startDnsFake({ 'dbu-web': '127.0.0.1', 'im-web': '127.0.0.1' });
    rendered = await renderEdge(
      { is: 'is-web:8000', dbu: `dbu-web:${dbuPort}`, im: 'im-web:9' },
      { resolver: dns.address, allowlists: { admin: '127.0.0.1', internal: '', nodeEnv: 'development' } },
    );
    const check = nginxTest(rendered);
    if (check.status !== 0) throw new Error(check.stderr);
    nginx = startNginx(rendered);
    await waitForNginx(nginx, async () => (await get('/media/photos/warm-up')).status === 404, 'nginx to listen');
    hits.length = 0;
  });

  afterAll(async () => {
    await stopProcess(nginx);
    if (upstream) await closeStandIns([upstream]);
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
