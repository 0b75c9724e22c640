import { Injectable } from '@nestjs/common';
import { pageRequest, type PageRequest } from '../shared/pagination';
import { splitItemNumbers } from '../catalogue/validators';
import { filterValue } from '../shared/api-schemas';
import type { SqlExecutor } from '../shared/sql';
import {
  decodeProductCursor,
  encodeProductCursor,
  type ProductCursor,
  type ProductKey,
  type ProductOrdering,
} from './product-cursor';
import { InvalidProductCursorException, ProductNotFoundException } from './product.exceptions';
import { hasFilters, type ProductListFilters } from './product.queries';
import { ProductRepository } from './product.repository';
import type { ProductListQuery } from './product.schemas';

/** Up to this many (estimated) matches a filtered keyset page sorts the matches instead of walking. */
const COLLECT_MATCHES_UP_TO = 10_000;

/** A keyset page: the rows (JSON text), the count (estimated when large) and the neighbours' cursors. */
export interface ProductCursorPage {
  count: number;
  countIsEstimate: boolean;
  nextCursor: string | null;
  previousCursor: string | null;
  results: string;
}

/** Catalogue reads: a product, and filtered pages of products (as JSON text from the database). */
@Injectable()
export class ProductService {
  constructor(private readonly products: ProductRepository) {}

  /** `tx`: read inside a write's transaction (what the write answers). */
  async detailJson(itemNo: string, includeDeleted = false, tx?: SqlExecutor): Promise<string> {
    // Longer keys cannot exist; answer without a round trip.
    const body = itemNo.length <= 64 ? await this.products.detailJson(itemNo, includeDeleted, tx) : undefined;
    if (body === undefined) throw new ProductNotFoundException(itemNo);
    return body;
  }

  /** A page of products by page number, with the exact count; blank filters (`?search=`) count as not given. */
  async list(query: ProductListQuery): Promise<{ page: PageRequest; count: number; results: string }> {
    const filters = this.filtersOf(query);
    // A batch lookup answers all its items on one page unless a page size is asked for.
    const page = pageRequest(query.page, query.page_size, filters.itemNos?.length);
    const { count, results } = await this.products.listJson(filters, page, query.ordering ?? 'item_no');
    return { page, count, results };
  }

  /**
   * A keyset page after (or before) `query.cursor` ('' for the first page). The count is the
   * planner's estimate for large results: counting a million rows per page is what this avoids.
   */
  async listByCursor(query: ProductListQuery & { cursor: string }): Promise<ProductCursorPage> {
    const ordering: ProductOrdering = query.ordering ?? 'item_no';
    const cursor = query.cursor === '' ? undefined : decodeProductCursor(query.cursor);
    if (query.cursor !== '' && cursor?.ordering !== ordering) throw new InvalidProductCursorException();
    const filters = this.filtersOf(query);
    const size = query.page_size ?? pageRequest(undefined, undefined, filters.itemNos?.length).pageSize;
    const total = await this.products.estimateCount(filters);
    // Few matches are collected through the filters' indexes and sorted; many are dense enough to
    // find by walking the ordering's index (bench/dbu-product-pages measures both).
    const collect = hasFilters(filters) && total.count <= COLLECT_MATCHES_UP_TO;
    const page = await this.products.keysetJson(filters, ordering, cursor, size, collect);
    const at = (direction: ProductCursor['direction'], key: ProductKey) =>
      encodeProductCursor({ ordering, direction, key });
    const first = page.firstKey ? keyOf(page.firstKey) : cursor?.key;
    const last = page.lastKey ? keyOf(page.lastKey) : cursor?.key;
    // Reading backwards, "more" lies before the page and the way forward is where we came from.
    const backwards = cursor?.direction === 'before';
    const hasNext = backwards ? cursor !== undefined : page.hasMore;
    const hasPrevious = backwards ? page.hasMore : cursor !== undefined;
    return {
      count: total.count,
      countIsEstimate: total.estimated,
      nextCursor: hasNext && last ? at('after', last) : null,
      previousCursor: hasPrevious && first ? at('before', first) : null,
      results: page.results,
    };
  }

  private filtersOf(query: ProductListQuery): ProductListFilters {
    const updatedSince = filterValue(query.updated_since);
    const itemNos = filterValue(query.item_no);
    const complete = filterValue(query.complete);
    return {
      search: filterValue(query.search),
      license: filterValue(query.license),
      category: filterValue(query.category),
      manufacturer: filterValue(query.manufacturer),
      updatedSince: updatedSince === undefined ? undefined : new Date(updatedSince).toISOString(),
      itemNos: itemNos === undefined ? undefined : splitItemNumbers(itemNos),
      complete: complete === undefined ? undefined : complete === 'true',
      changedInImport: filterValue(query.changed_in_import),
      includeDeleted: filterValue(query.include_deleted) === 'true',
    };
  }
}

/** A key as the keyset query answers it (`[item_no]` or `[value, item_no]`). */
function keyOf(key: string[]): ProductKey {
  return key.length === 1 ? { itemNo: key[0] } : { value: key[0], itemNo: key[1] };
}
