import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A FAKE of DBU's HTTP API for the DBU client's failure tests: it speaks the same protocol
 * (token login, DRF pagination, `?item_no=a,b`, `?search=`, `/api/products/{item_no}/`) but can be
 * told to misbehave on purpose — answer 500/503, reset the connection, hang, send garbage, or
 * forget its tokens. The real dbu-web app is used everywhere else.
 */
export type Fault = 'http500' | 'http503' | 'reset' | 'hang' | 'garbage' | 'expire-token';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization?: string;
}

export class MisbehavingDbuFake {
  readonly requests: RecordedRequest[] = [];
  readonly products = new Map<string, Record<string, unknown>>();
  readonly username = 'im-sync';
  readonly password = 'fake-password';
  /** Applied one per request, in order, before normal handling. */
  readonly faults: Fault[] = [];
  /** When set, every request gets this fault (an outage) until cleared. */
  outage?: Fault;
  /** When set, rewrites the `next` link of every page (a hostile or confused DBU). */
  rewriteNext?: (next: string) => string;
  private readonly tokens = new Set<string>();
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();

  async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as { port: number } | undefined;
    return `http://127.0.0.1:${address?.port ?? 0}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A token DBU accepts right now (as if issued earlier). */
  issueToken(): string {
    const token = randomBytes(12).toString('hex');
    this.tokens.add(token);
    return token;
  }

  forgetTokens(): void {
    this.tokens.clear();
  }

  addProduct(itemNo: string, fields: Record<string, unknown> = {}): void {
    this.products.set(itemNo, { item_no: itemNo, title: `Product ${itemNo}`, rrp: '9.99', ...fields });
  }

  countOf(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
    });
    const fault = this.outage ?? this.faults.shift();
    switch (fault) {
      case 'http500':
        return this.json(res, 500, { detail: 'boom' });
      case 'http503':
        return this.json(res, 503, { detail: 'maintenance' });
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        this.hanging.add(res);
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>');
        return;
      case 'expire-token':
        this.tokens.clear();
        break;
      case undefined:
        break;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => this.route(req, res, url, body));
  }

  private route(req: IncomingMessage, res: ServerResponse, url: URL, body: string): void {
    if (req.method === 'POST' && url.pathname === '/api-token-auth/') {
      const creds = JSON.parse(body || '{}') as { username?: string; password?: string };
      if (creds.username !== this.username || creds.password !== this.password) {
        return this.json(res, 400, { non_field_errors: ['Unable to log in with provided credentials.'] });
      }
      return this.json(res, 200, { token: this.issueToken() });
    }
    const token = /^Token (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token)) return this.json(res, 401, { detail: 'Invalid token.' });
    const one = /^\/api\/products\/([^/]+)\/$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const product = this.products.get(decodeURIComponent(one[1]));
      return product ? this.json(res, 200, product) : this.json(res, 404, { detail: 'Not found.' });
    }
    if (req.method === 'GET' && url.pathname === '/api/products/') {
      let rows = [...this.products.values()];
      const itemNos = url.searchParams.get('item_no');
      if (itemNos) {
        const wanted = new Set(itemNos.split(','));
        rows = rows.filter((p) => wanted.has(String(p.item_no)));
      }
      const search = url.searchParams.get('search')?.toLowerCase();
      if (search) rows = rows.filter((p) => String(p.title).toLowerCase().includes(search));
      const size = Math.min(Number(url.searchParams.get('page_size') ?? 100), 500);
      const page = Number(url.searchParams.get('page') ?? 1);
      const results = rows.slice((page - 1) * size, page * size);
      const next = page * size < rows.length ? new URL(url.toString().replace('http://fake', this.url)) : null;
      next?.searchParams.set('page', String(page + 1));
      const link = next && this.rewriteNext ? this.rewriteNext(next.toString()) : (next?.toString() ?? null);
      return this.json(res, 200, { count: rows.length, next: link, previous: null, results });
    }
    return this.json(res, 404, { detail: 'Not found.' });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}
