import { createServer, type Server } from 'node:http';
import { registry } from './registry';

export interface HealthReport {
  ok: boolean;
  [key: string]: unknown;
}

export interface MetricsServerOptions {
  port: number;
  host?: string;
  health: () => Promise<HealthReport>;
  beforeScrape?: () => Promise<void>;
}

/** The small listener of a worker: `/metrics` for Prometheus and `/health` for probes. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]?.replace(/\/$/, '') || '/';
    void (async () => {
      try {
        if (req.method !== 'GET') {
          res.writeHead(405, { 'content-type': 'application/json' }).end('{"error":"method not allowed"}');
        } else if (path === '/metrics') {
          if (options.beforeScrape) await options.beforeScrape().catch(() => undefined);
          res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
        } else if (path === '/health') {
          const report = await options.health();
          res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(report));
        } else {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        }
      } catch {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return server;
}
