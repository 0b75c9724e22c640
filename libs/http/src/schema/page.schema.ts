import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { Nullable } from './types';

/** The `next` / `previous` fields of every page shape, for lists that carry more fields of their own. */
export const PageLinkFields = {
  next: Nullable(Type.String({ description: 'The next page, or null on the last' })),
  previous: Nullable(Type.String({ description: 'The previous page, or null on the first' })),
};

/**
 * The one page shape of every list route (DRF's, which existing callers read): `count` (exact, or
 * an estimate on big tables, or null when unknown), `next` / `previous` links, `results`.
 */
export function PageSchema<T extends TSchema>(item: T, title: string) {
  return Type.Object(
    {
      count: Nullable(Type.Integer({ description: 'How many match; an estimate when count_is_estimate' })),
      count_is_estimate: Type.Optional(Type.Boolean()),
      ...PageLinkFields,
      results: Type.Array(item),
    },
    { title },
  );
}

export interface Page<T> {
  count: number | null;
  count_is_estimate?: boolean;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** A link to the same list with other query parameters (absent or empty ones left out). */
export function listLink(path: string, query: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface PageLinks {
  next: string | null;
  previous: string | null;
}

/**
 * Absolute `next` / `previous` links of a `?page=&page_size=` list (as DRF's PageNumberPagination
 * writes them: page 1 drops `page`), on the request's own path and query and on publicBaseUrl.
 */
export function pageNumberLinks(
  request: Pick<FastifyRequest, 'url' | 'server' | 'socket'>,
  page: { page: number; page_size: number; count: number },
): PageLinks {
  const [path, query = ''] = request.url.split('?', 2);
  const link = (target: number): string => {
    const params = new URLSearchParams(query);
    if (target === 1) params.delete('page');
    else params.set('page', String(target));
    const text = params.toString();
    return `${publicBaseUrl(request)}${path}${text ? `?${text}` : ''}`;
  };
  return {
    next: page.page * page.page_size < page.count ? link(page.page + 1) : null,
    previous: page.page > 1 ? link(page.page - 1) : null,
  };
}

/** The Fastify decoration holding the app's `publicBaseUrl` (null when not configured). */
export const PUBLIC_BASE_URL = 'pjsPublicBaseUrl';

/**
 * The base of absolute links in answers (no trailing slash): `PUBLIC_BASE_URL` when configured,
 * else the address this server answered on (the socket's own, e.g. `http://10.0.3.4:8000`). Never
 * the `Host` or `X-Forwarded-Host` header, which a caller chooses: a link built on it would send the
 * next request (and its token) wherever the caller of the first one wanted.
 */
export function publicBaseUrl(request: Pick<FastifyRequest, 'server' | 'socket'>): string {
  const configured = (request.server as unknown as Record<string, unknown>)[PUBLIC_BASE_URL];
  if (typeof configured === 'string' && configured) return configured;
  let address = request.socket.localAddress ?? '127.0.0.1';
  if (address.startsWith('::ffff:')) address = address.slice('::ffff:'.length);
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${request.socket.localPort}`;
}
