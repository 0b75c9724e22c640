import type { FastifyRequest } from 'fastify';
import { publicBaseUrl } from '@pjs/http';
import type { ProductCursorPage } from './product.service';

/**
 * The keyset answer: the DRF page shape (`count`, `next`, `previous`, `results`, so page-number
 * clients read it too) plus `count_is_estimate` and the cursors. The links are the request's own
 * URL on PUBLIC_BASE_URL with `cursor` swapped (and `page` dropped: the cursor is the position).
 */
export function cursorPageEnvelope(
  request: Pick<FastifyRequest, 'url' | 'server' | 'socket'>,
  page: ProductCursorPage,
): string {
  const [path, query = ''] = request.url.split('?', 2);
  const base = `${publicBaseUrl(request)}${path}`;
  const link = (cursor: string | null): string | null => {
    if (cursor === null) return null;
    const params = new URLSearchParams(query);
    params.delete('page');
    params.set('cursor', cursor);
    return `${base}?${params.toString()}`;
  };
  const head = {
    count: page.count,
    count_is_estimate: page.countIsEstimate,
    next: link(page.nextCursor),
    previous: link(page.previousCursor),
    next_cursor: page.nextCursor,
    previous_cursor: page.previousCursor,
  };
  return `${JSON.stringify(head).slice(0, -1)},"results":${page.results}}`;
}
