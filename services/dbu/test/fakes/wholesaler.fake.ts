import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * FAKE wholesaler (an external party we do not run): serves product images and the category
 * feed over HTTP like the real one, plus the misbehaviour a fetcher must survive — slow and
 * stalling responses, oversized bodies, HTML error pages with status 200, 404s and flaky 503s.
 *
 *   /img/<name>.jpg|.png     an image whose bytes depend on <name>
 *   /img/same-<x>.jpg        the same bytes for every <x> (one stored file for many products)
 *   /img/slow.jpg            answers after `slowMs`
 *   /img/stall.jpg           sends the first bytes, then nothing
 *   /img/huge.jpg            a JPEG larger than `hugeBytes`, announced in Content-Length
 *   /img/huge-chunked.jpg    the same without Content-Length
 *   /img/page.jpg            200 with an HTML page
 *   /img/missing.jpg         404
 *   /img/flaky-<x>.jpg       503 for the first `flakyFailures` requests of that path, then a JPEG
 *   /categories              `categories` (body, content type, status)
 *   /redirect?to=<url>       302 to <url> (a hostile host sends the fetcher elsewhere)
 *   /redirect-loop/<n>.jpg   302 to /redirect-loop/<n+1>.jpg, for ever
 *   /internal/secret         200 with `SECRET` as an image-looking body (stands for an internal service)
 */
export const SECRET = 'internal secret: db password hunter2';

export class FakeWholesaler {
  readonly hits = new Map<string, number>();
  categories: { body: string; contentType: string; status: number } = {
    body: '[]',
    contentType: 'application/json',
    status: 200,
  };
  slowMs = 3000;
  hugeBytes = 2 * 1024 * 1024;
  flakyFailures = 1;
  /** Most requests in flight at once (to check bounded concurrency). */
  maxInFlight = 0;
  /** Delay of every image answer, so concurrent fetches overlap. */
  imageDelayMs = 0;
  private inFlight = 0;
  private server?: Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    return this.baseUrl;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => (this.inFlight -= 1));
    if (path === '/redirect') {
      const to = new URL(req.url ?? '/', 'http://fake').searchParams.get('to') ?? '/';
      res.writeHead(302, { location: to }).end();
      return;
    }
    const loop = /^\/redirect-loop\/(\d+)\.jpg$/.exec(path);
    if (loop) {
      res.writeHead(302, { location: `/redirect-loop/${Number(loop[1]) + 1}.jpg` }).end();
      return;
    }
    if (path === '/internal/secret') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(SECRET);
      return;
    }
    if (path === '/categories') {
      res.writeHead(this.categories.status, { 'content-type': this.categories.contentType }).end(this.categories.body);
      return;
    }
    const match = /^\/img\/([\w.-]+)\.(jpg|png)$/.exec(path);
    if (!match) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const [, name, ext] = match as unknown as [string, string, 'jpg' | 'png'];
    const send = () => this.image(name, ext, res);
    if (this.imageDelayMs > 0) this.later(this.imageDelayMs, send);
    else send();
  }

  private image(name: string, ext: 'jpg' | 'png', res: ServerResponse): void {
    if (name === 'missing') {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
    } else if (name === 'page') {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<!DOCTYPE html><html><body>Bild folgt</body></html>');
    } else if (name === 'slow') {
      this.later(this.slowMs, () =>
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end(imageBytes('slow', 'jpg')),
      );
    } else if (name === 'stall') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.write(imageBytes('stall', 'jpg').subarray(0, 32));
    } else if (name === 'huge' || name === 'huge-chunked') {
      const body = Buffer.concat([imageBytes('huge', 'jpg'), Buffer.alloc(this.hugeBytes)]);
      res.writeHead(200, {
        'content-type': 'image/jpeg',
        ...(name === 'huge' ? { 'content-length': String(body.length) } : {}),
      });
      // Chunked: the fetcher must stop by counting, not by the header.
      for (let i = 0; i < body.length; i += 64 * 1024) res.write(body.subarray(i, i + 64 * 1024));
      res.end();
    } else if (name.startsWith('flaky-') && (this.hits.get(`/img/${name}.${ext}`) ?? 0) <= this.flakyFailures) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('try later');
    } else {
      const body = imageBytes(name.startsWith('same-') ? 'same' : name, ext);
      res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) })
        .end(body);
    }
  }
}

/** A small image file with real magic bytes; the bytes depend on `seed`. */
export function imageBytes(seed: string, ext: 'jpg' | 'png'): Buffer {
  const magic =
    ext === 'jpg'
      ? Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01])
      : Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
  return Buffer.concat([
    magic,
    Buffer.from(`fake image ${seed} `.repeat(20)),
    Buffer.from(ext === 'jpg' ? [0xff, 0xd9] : []),
  ]);
}
