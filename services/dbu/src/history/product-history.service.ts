import { Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { formatDecimal } from '../catalogue/decimal';
import { assertPageExists, pageRequest, type PageRequest } from '../catalogue/pagination';
import { CategoryRepository } from '../categories/category.repository';
import { LicenseRepository } from '../licenses/license.repository';
import { ManufacturerRepository } from '../products/manufacturer.repository';
import { ProductNotFoundException } from '../products/product.exceptions';
import { ProductRepository } from '../products/product.repository';
import type { HistoryQueryDto } from './dto/history.query';
import { ProductHistoryRepository } from './product-history.repository';
import type { HistoryEntry } from './product-history.types';

/** A product's tracked fields as they were at a point in time. */
export interface ProductState {
  ean: string | null;
  title: string | null;
  description: string | null;
  manufacturer: { id: number; name: string | null } | null;
  license: { id: number; name: string | null } | null;
  category: { id: number; name: string | null; path: string | null } | null;
  purchase_price: string | null;
  rrp: string | null;
  release_date: string | null;
  weight_kg: string | null;
  image_url: string | null;
  safety_warnings: string | null;
  discount: { type: 'percent' | 'amount'; value: string | null; order_number: string | null } | null;
  is_deleted: boolean;
}

export interface ProductHistoryPage {
  item_no: string;
  as_of: string | null;
  /** Only with as_of: the product then, or null when it did not exist yet. */
  state?: ProductState | null;
  page: PageRequest;
  count: number;
  results: HistoryEntry[];
}

/** A product's change history, and its state at an earlier time (undoing later changes). */
@Injectable()
export class ProductHistoryService {
  constructor(
    private readonly db: DataSource,
    private readonly history: ProductHistoryRepository,
    private readonly products: ProductRepository,
    private readonly manufacturers: ManufacturerRepository,
    private readonly licenses: LicenseRepository,
    private readonly categories: CategoryRepository,
  ) {}

  async page(itemNo: string, query: HistoryQueryDto): Promise<ProductHistoryPage> {
    const asOf = query.as_of === undefined ? null : new Date(query.as_of).toISOString();
    const current = itemNo.length <= 64 ? await this.products.trackedValues(itemNo, asOf) : undefined;
    if (!current && !(itemNo.length <= 64 && (await this.history.exists(itemNo)))) {
      throw new ProductNotFoundException(itemNo);
    }
    const page = pageRequest(query.page, query.page_size);
    const { count, entries } = await this.history.list(itemNo, {
      asOf: asOf ?? undefined,
      limit: page.limit,
      offset: page.offset,
    });
    assertPageExists(page, count);
    const result: ProductHistoryPage = { item_no: itemNo, as_of: asOf, page, count, results: entries };
    if (asOf !== null && current) {
      if (!current.existed) {
        result.state = null;
      } else {
        const values = { ...current.values };
        for (const change of await this.history.changesAfter(itemNo, asOf)) values[change.field] = change.old_value;
        result.state = await this.describe(values);
      }
    }
    return result;
  }

  private async describe(v: Record<string, string | null>): Promise<ProductState> {
    const id = (field: string): number | null => (v[field] ? Number(v[field]) : null);
    const manufacturerId = id('manufacturer_id');
    const licenseId = id('license_id');
    const categoryId = id('category_id');
    const [manufacturers, licenses, categories] = await Promise.all([
      this.manufacturers.namesByIds(this.db, manufacturerId ? [manufacturerId] : []),
      this.licenses.namesByIds(this.db, licenseId ? [licenseId] : []),
      this.categories.byIds(this.db, categoryId ? [categoryId] : []),
    ]);
    const category = categoryId ? categories.get(categoryId) : undefined;
    const discount =
      v.discount_percent !== null && v.discount_percent !== undefined
        ? { type: 'percent' as const, value: formatDecimal(v.discount_percent), order_number: v.discount_order_number }
        : v.discount_amount !== null && v.discount_amount !== undefined
          ? { type: 'amount' as const, value: formatDecimal(v.discount_amount), order_number: v.discount_order_number }
          : null;
    return {
      ean: v.ean ?? null,
      title: v.title ?? null,
      description: v.description ?? null,
      manufacturer: manufacturerId ? { id: manufacturerId, name: manufacturers.get(manufacturerId) ?? null } : null,
      license: licenseId ? { id: licenseId, name: licenses.get(licenseId) ?? null } : null,
      category: categoryId ? { id: categoryId, name: category?.name ?? null, path: category?.path ?? null } : null,
      purchase_price: formatDecimal(v.purchase_price),
      rrp: formatDecimal(v.rrp),
      release_date: v.release_date ?? null,
      weight_kg: formatDecimal(v.weight_kg, 3),
      image_url: v.image_url ?? null,
      safety_warnings: v.safety_warnings ?? null,
      discount: discount && { ...discount, order_number: discount.order_number ?? null },
      is_deleted: v.is_deleted === 'true',
    };
  }
}
