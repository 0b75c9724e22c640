import type { FastifyRequest } from 'fastify';
import { ApiException, publicBaseUrl } from '@pjs/http';
import { DEFAULT_PAGE_SIZE } from './api-schemas';

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './api-schemas';

export interface PageRequest {
  page: number;
  pageSize: number;
  limit: number;
  offset: number;
}

export function pageRequest(
  page: number | undefined,
  pageSize: number | undefined,
  fallbackSize = DEFAULT_PAGE_SIZE,
): PageRequest {
  const size = pageSize ?? fallbackSize;
  const number = page ?? 1;
  return { page: number, pageSize: size, limit: size, offset: (number - 1) * size };
}

/** DRF's answer for a page past the end. */
export class InvalidPageException extends ApiException {
  constructor() {
    super(404, 'invalid_page', 'Invalid page.');
  }
}

/** Absolute `next` / `previous` links like DRF's PageNumberPagination (page 1 drops `page`). */
export function pageLinksFor(
  base: string,
  query: string,
  page: PageRequest,
  count: number,
): { next: string | null; previous: string | null } {
  const link = (target: number): string => {
    const params = new URLSearchParams(query);
    if (target === 1) params.delete('page');
    else params.set('page', String(target));
    const qs = params.toString();
    return qs ? `${base}?${qs}` : base;
  };
  return {
    next: page.offset + page.limit < count ? link(page.page + 1) : null,
    previous: page.page > 1 ? link(page.page - 1) : null,
  };
}

/** The page links of a request, on PUBLIC_BASE_URL (never on the Host header a caller sends). */
export function pageLinks(
  request: Pick<FastifyRequest, 'url' | 'server' | 'socket'>,
  page: PageRequest,
  count: number,
): { next: string | null; previous: string | null } {
  const [path, query = ''] = request.url.split('?', 2);
  return pageLinksFor(`${publicBaseUrl(request)}${path}`, query, page, count);
}

/** `{"count","next","previous","results"}` around a results array that is already JSON text. */
export function pageEnvelope(
  count: number,
  links: { next: string | null; previous: string | null },
  resultsJson: string,
): string {
  return `{"count":${count},"next":${JSON.stringify(links.next)},"previous":${JSON.stringify(links.previous)},"results":${resultsJson}}`;
}

/** Fails like DRF when a page after the first has no rows. */
export function assertPageExists(page: PageRequest, count: number): void {
  if (page.page > 1 && page.offset >= count) throw new InvalidPageException();
}
