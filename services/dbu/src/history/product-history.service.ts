import { Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { formatDecimal } from '../catalogue/decimal';
import { PRODUCT_FIELDS, type ProductField } from '../catalogue/product-fields';
import { assertPageExists, pageRequest, type PageRequest } from '../shared/pagination';
import { CategoryRepository } from '../categories/category.repository';
import { LicenseRepository } from '../licenses/license.repository';
import { ManufacturerRepository } from '../manufacturers/manufacturer.repository';
import { ProductNotFoundException } from '../catalogue/product-api';
import { filterValue } from '../shared/api-schemas';
import type { HistoryQuery } from './history.schemas';
import { ProductHistoryRepository } from './product-history.repository';
import type { HistoryEntry } from './product-history.types';

/**
 * A product's fields as they were at a point in time, by the product field table: each field
 * under its name, names and categories as `{id, name[, path]}`, money with two decimals, the
 * discount as `{type, value, order_number}`.
 */
export type ProductState = Record<string, unknown>;

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
    private readonly manufacturers: ManufacturerRepository,
    private readonly licenses: LicenseRepository,
    private readonly categories: CategoryRepository,
  ) {}

  async page(itemNo: string, query: HistoryQuery): Promise<ProductHistoryPage> {
    const asOfText = filterValue(query.as_of);
    const asOf = asOfText === undefined ? null : new Date(asOfText).toISOString();
    const current = itemNo.length <= 64 ? await this.history.trackedValues(itemNo, asOf) : undefined;
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

  /** The fields of a product from its columns' text values (as history records them). */
  private async describe(v: Record<string, string | null>): Promise<ProductState> {
    const id = (column: string): number | null => (v[column] ? Number(v[column]) : null);
    const state: ProductState = {};
    for (const field of STATE_FIELDS) {
      const [column] = field.columns;
      switch (field.value) {
        case 'ean':
        case 'line':
        case 'text':
        case 'url':
        case 'date':
          state[field.name] = v[column.name] ?? null;
          break;
        case 'decimal':
          state[field.name] = formatDecimal(v[column.name], field.decimal.scale);
          break;
        case 'name': {
          const nameId = id(column.name);
          const names = nameId ? await this.names[field.names].namesByIds(this.db, [nameId]) : undefined;
          state[field.name] = nameId ? { id: nameId, name: names?.get(nameId) ?? null } : null;
          break;
        }
        case 'category': {
          const categoryId = id(column.name);
          const category = categoryId
            ? (await this.categories.byIds(this.db, [categoryId])).get(categoryId)
            : undefined;
          state[field.name] = categoryId
            ? { id: categoryId, name: category?.name ?? null, path: category?.path ?? null }
            : null;
          break;
        }
        case 'discount': {
          const type = v.discount_percent != null ? 'percent' : v.discount_amount != null ? 'amount' : null;
          state[field.name] = type && {
            type,
            value: formatDecimal(type === 'percent' ? v.discount_percent : v.discount_amount),
            order_number: v.discount_order_number ?? null,
          };
          break;
        }
        case 'flag':
          state[field.name] = v[column.name] === 'true';
          break;
      }
    }
    return state;
  }

  private get names(): Record<'manufacturers' | 'licenses', { namesByIds: ManufacturerRepository['namesByIds'] }> {
    return { manufacturers: this.manufacturers, licenses: this.licenses };
  }
}

/** Every field but the key. */
const STATE_FIELDS = PRODUCT_FIELDS.filter(
  (f): f is Exclude<ProductField, { value: 'item_no' }> => f.value !== 'item_no',
);
