import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A FAKE network hop in front of the real dbu-web, for failure injection only: forwards every
 * request unchanged after `delayMs`, and records the item numbers of each `?item_no=` lookup. It
 * makes a sync slow enough that a test can kill im-worker in the middle of it.
 */
export class SlowDbuProxy {
  /** The item numbers of each lookup request, in arrival order. */
  readonly lookups: string[][] = [];
  private server?: Server;

  constructor(
    private readonly target: string,
    private readonly delayMs: number,
  ) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      setTimeout(() => this.forward(req, res), this.delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** How often each item number was asked for. */
  requestCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const itemNo of this.lookups.flat()) counts.set(itemNo, (counts.get(itemNo) ?? 0) + 1);
    return counts;
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.target);
    const itemNos = url.searchParams.get('item_no');
    if (itemNos) this.lookups.push(itemNos.split(','));
    const upstream = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
