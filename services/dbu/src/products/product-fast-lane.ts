import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { IpAllowlist, tokenFromAuthorizationHeader, type AuthService } from '@pjs/auth';
import { REQUEST_ID_HEADER, newCorrelationId, sanitizeCorrelationId, type Logger } from '@pjs/logger';
import { httpRequestDuration } from '@pjs/metrics';
import { MAX_PAGE_SIZE, pageEnvelope, pageLinksFor, type PageRequest } from '../catalogue/pagination';
import type { ProductService } from './product.service';

const DETAIL = /^\/api\/products\/([^/]+)\/?$/;
const LIST = /^\/api\/products\/?$/;
const LIST_PARAMS = new Set(['search', 'page', 'page_size']);
const JSON_TYPE = 'application/json; charset=utf-8';

export interface FastLaneOptions {
  auth: AuthService;
  products: ProductService;
  logger: Logger;
  /** INTERNAL_ALLOWED_IPS. */
  internalAllowedIps: readonly string[];
  /** TRUST_PROXY: proxy hops whose X-Forwarded-For entries are believed (as Express does). */
  trustProxy: number;
}

type ListQuery = { search?: string; page?: number; page_size?: number };

/**
 * A fast lane in front of Express for the two hottest reads, `GET /api/products/{item_no}/` and
 * `GET /api/products/?search=…`.
 *
 * Why: on this service's hardware the Express + Nest pipeline costs several times the CPU of the
 * query itself (Express 5 alone ≈ 3x Fastify per request, see docs/benchmarks.md "DBU lookup"),
 * which would make the catalogue's hottest lookups CPU-bound on the framework.
 *
 * What it serves — only the plainly fine case: the address is in INTERNAL_ALLOWED_IPS
 * (proxy-aware like Express), the token authenticates through the same AuthService (and its
 * cache), the query holds nothing but valid `search` / `page` / `page_size`, and the product or
 * page exists. Everything else — no or bad token, foreign address, other filters, invalid values,
 * unknown item, page past the end, any error — is handed to Express untouched, where the global
 * guards, validation and the error filter answer it as for every other route. Served requests
 * get what the shared middlewares give every request: an `X-Request-Id`, the access log line at
 * `http` level and the RED histogram under the route template. Same services, same SQL, same JSON.
 */
export function installProductFastLane(server: Server, options: FastLaneOptions): void {
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (listeners.length !== 1) throw new Error('expected exactly one request listener (the Express app)');
  const express = listeners[0];
  const internal = new IpAllowlist(options.internalAllowedIps);
  const duration = httpRequestDuration();
  server.removeAllListeners('request');

  const serve = async (
    req: IncomingMessage,
    res: ServerResponse,
    token: string,
    detailKey: string | undefined,
    list: ListQuery | undefined,
    started: bigint,
  ): Promise<boolean> => {
    if (!(await options.auth.authenticateToken(token))) return false;
    let body: string;
    let template: string;
    if (detailKey !== undefined) {
      body = await options.products.detailJson(decodeURIComponent(detailKey));
      template = '/api/products/:item_no';
    } else {
      const { page, count, results } = await options.products.list(list!);
      if (page.page > 1 && page.offset >= count) return false;
      body = pageEnvelope(count, links(req, page, count, options.trustProxy), results);
      template = '/api/products';
    }
    const requestId = sanitizeCorrelationId(req.headers[REQUEST_ID_HEADER]) ?? newCorrelationId();
    res.statusCode = 200;
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('Content-Type', JSON_TYPE);
    res.end(body);
    const path = (req.url ?? '/').split('?')[0];
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      duration.observe({ method: 'GET', route: template, status_class: '2xx' }, seconds);
      if (options.logger.isLevelEnabled('http')) {
        options.logger.log('http', 'request', {
          method: 'GET',
          path,
          status: 200,
          duration_ms: Math.round(seconds * 10_000) / 10,
          correlation_id: requestId,
        });
      }
    });
    return true;
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    if (req.method !== 'GET') return express(req, res);
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    const detail = DETAIL.exec(path);
    const list = detail ? undefined : LIST.test(path) ? listQuery(mark === -1 ? '' : url.slice(mark + 1)) : undefined;
    if (!detail && !list) return express(req, res);
    const token = tokenFromAuthorizationHeader(req.headers.authorization);
    if (!token || !internal.allows(clientIp(req, options.trustProxy))) return express(req, res);
    serve(req, res, token, detail?.[1], list, started).then(
      (served) => {
        if (!served) express(req, res);
      },
      // Unknown item, bad percent-encoding, database trouble: Express and Nest answer it.
      () => {
        if (!res.headersSent) express(req, res);
      },
    );
  });
}

/** The query if it holds only valid search/page/page_size (each once), else undefined. */
function listQuery(query: string): ListQuery | undefined {
  const out: ListQuery = {};
  const seen = new Set<string>();
  for (const [key, value] of new URLSearchParams(query)) {
    if (!LIST_PARAMS.has(key) || seen.has(key)) return undefined;
    seen.add(key);
    if (key === 'search') {
      const search = value.trim();
      if (search.length > 200) return undefined;
      if (search) out.search = search;
    } else {
      if (!/^\d{1,9}$/.test(value)) return undefined;
      const n = Number(value);
      if (n < 1 || (key === 'page_size' && n > MAX_PAGE_SIZE)) return undefined;
      if (key === 'page') out.page = n;
      else out.page_size = n;
    }
  }
  return out;
}

/** The client address as Express computes it with `trust proxy` set to a hop count. */
export function clientIp(req: IncomingMessage, trustedHops: number): string | undefined {
  const socket = req.socket.remoteAddress;
  const header = req.headers['x-forwarded-for'];
  if (trustedHops <= 0 || !header) return socket;
  const forwarded = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((s) => s.trim())
    .reverse();
  const chain = [socket, ...forwarded];
  return chain[Math.min(trustedHops, chain.length - 1)];
}

/** DRF page links for the lane, built like `pageLinks` builds them from an Express request. */
function links(
  req: IncomingMessage,
  page: PageRequest,
  count: number,
  trustedHops: number,
): { next: string | null; previous: string | null } {
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const forwarded = trustedHops > 0 ? String(req.headers['x-forwarded-proto'] ?? '') : '';
  const protocol = (forwarded || encrypted).split(',')[0].trim();
  const [path, query = ''] = (req.url ?? '/').split('?', 2);
  return pageLinksFor(`${protocol}://${req.headers.host ?? 'localhost'}${path}`, query, page, count);
}
