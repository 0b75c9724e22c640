import { Injectable } from '@nestjs/common';
import { pageRequest, type PageRequest } from '../catalogue/pagination';
import { splitItemNumbers } from '../catalogue/validators';
import type { ProductListQueryDto } from './dto/product-list.query';
import { ProductNotFoundException } from './product.exceptions';
import type { ProductListFilters } from './product.queries';
import { ProductRepository } from './product.repository';

/** Catalogue reads: a product, and filtered pages of products (as JSON text from the database). */
@Injectable()
export class ProductService {
  constructor(private readonly products: ProductRepository) {}

  async detailJson(itemNo: string, includeDeleted = false): Promise<string> {
    // Longer keys cannot exist; answer without a round trip.
    const body = itemNo.length <= 64 ? await this.products.detailJson(itemNo, includeDeleted) : undefined;
    if (body === undefined) throw new ProductNotFoundException(itemNo);
    return body;
  }

  async list(query: ProductListQueryDto): Promise<{ page: PageRequest; count: number; results: string }> {
    const filters: ProductListFilters = {
      search: query.search,
      license: query.license,
      category: query.category,
      manufacturer: query.manufacturer,
      updatedSince: query.updated_since === undefined ? undefined : new Date(query.updated_since).toISOString(),
      itemNos: query.item_no === undefined ? undefined : splitItemNumbers(query.item_no),
      complete: query.complete === undefined ? undefined : query.complete === 'true',
      changedInImport: query.changed_in_import,
      includeDeleted: query.include_deleted === 'true',
    };
    // A batch lookup answers all its items on one page unless a page size is asked for.
    const page = pageRequest(query.page, query.page_size, filters.itemNos?.length);
    const { count, results } = await this.products.listJson(filters, page);
    return { page, count, results };
  }
}
