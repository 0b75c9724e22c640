import { Injectable } from '@nestjs/common';
import { AuditWriter } from '@pjs/audit';
import type { Principal } from '@pjs/http';
import { DataSource, type EntityManager } from '@pjs/database';
import { parseDecimal, type DecimalRule } from '../catalogue/decimal';
import { PRODUCT_FIELDS, type ProductField } from '../catalogue/product-fields';
import { discountColumns, parseDiscount } from '../catalogue/discount';
import { CategoryRepository } from '../categories/category.repository';
import { ProductHistoryRepository } from '../history/product-history.repository';
import type { HistorySource } from '../history/product-history.types';
import { LicenseRepository } from '../licenses/license.repository';
import { ManufacturerRepository } from '../manufacturers/manufacturer.repository';
import { ProductExistsException, ProductNotFoundException, UnknownCategoryException } from './product.exceptions';
import { ProductRepository, type ProductColumn, type ProductColumnValues } from './product.repository';
import type { ProductCreateBody, ProductFields, ProductPatchBody, ProductReplaceBody } from './product.schemas';
import { ProductService } from './product.service';

/**
 * Admin writes: create, replace, patch and soft-delete. Each runs in one transaction that locks
 * the product, writes it, records the changed fields in the history (source `api`, the token's
 * name, the user) and adds a row to the audit trail (the caller, token prefix, request id, address).
 * `outer`: the caller's transaction (the request's Idempotency-Key is stored in it), which the
 * write joins (as a savepoint) and the answer is read in.
 */
@Injectable()
export class ProductAdminService {
  constructor(
    private readonly db: DataSource,
    private readonly products: ProductRepository,
    private readonly reads: ProductService,
    private readonly history: ProductHistoryRepository,
    private readonly manufacturers: ManufacturerRepository,
    private readonly licenses: LicenseRepository,
    private readonly categories: CategoryRepository,
    private readonly audit: AuditWriter,
  ) {}

  async create(dto: ProductCreateBody, principal: Principal, outer?: EntityManager): Promise<string> {
    await (outer ?? this.db.manager).transaction(async (tx) => {
      const values = { ...(await this.columns(tx, dto, 'all')), is_deleted: false };
      const after = await this.products.insert(tx, dto.item_no, values as ProductColumnValues);
      if (after === undefined) {
        const existing = await this.products.lockImage(tx, dto.item_no);
        throw new ProductExistsException(dto.item_no, existing?.is_deleted ?? false);
      }
      await this.history.recordChanges(tx, [{ item_no: dto.item_no, before: null, after }], source(principal));
      await this.audit.record({ action: 'product.create', resource: 'product', resourceId: dto.item_no }, tx);
    });
    return this.reads.detailJson(dto.item_no, false, outer);
  }

  /** Replaces every field (omitted ones are cleared) and restores a deleted product. */
  async replace(itemNo: string, dto: ProductReplaceBody, principal: Principal, outer?: EntityManager): Promise<string> {
    await this.change(itemNo, principal, outer, async (tx) => ({
      ...(await this.columns(tx, dto, 'all')),
      is_deleted: false,
    }));
    return this.reads.detailJson(itemNo, false, outer);
  }

  async patch(itemNo: string, dto: ProductPatchBody, principal: Principal, outer?: EntityManager): Promise<string> {
    const deleted = await this.change(itemNo, principal, outer, async (tx) => {
      const values: Partial<ProductColumnValues> = await this.columns(tx, dto, 'present');
      if (dto.is_deleted !== undefined) values.is_deleted = dto.is_deleted;
      return values;
    });
    return this.reads.detailJson(itemNo, deleted, outer);
  }

  /** Soft delete: the row stays (and its history); lists and lookups stop showing it. */
  async remove(itemNo: string, principal: Principal, outer?: EntityManager): Promise<void> {
    await (outer ?? this.db.manager).transaction(async (tx) => {
      const before = await this.products.lockImage(tx, itemNo);
      if (!before || before.is_deleted) throw new ProductNotFoundException(itemNo);
      const after = await this.products.update(tx, itemNo, { is_deleted: true });
      if (after)
        await this.history.recordChanges(tx, [{ item_no: itemNo, before: before.json, after }], source(principal));
      await this.audit.record({ action: 'product.delete', resource: 'product', resourceId: itemNo }, tx);
    });
  }

  /** Locks, writes and records; answers whether the product is deleted afterwards. */
  private async change(
    itemNo: string,
    principal: Principal,
    outer: EntityManager | undefined,
    values: (tx: EntityManager) => Promise<Partial<ProductColumnValues>>,
  ): Promise<boolean> {
    return (outer ?? this.db.manager).transaction(async (tx) => {
      const before = itemNo.length <= 64 ? await this.products.lockImage(tx, itemNo) : undefined;
      if (!before) throw new ProductNotFoundException(itemNo);
      const set = await values(tx);
      const after = await this.products.update(tx, itemNo, set);
      await this.audit.record(
        {
          action: 'product.update',
          resource: 'product',
          resourceId: itemNo,
          details: { fields: Object.keys(set).sort(), changed: after !== undefined },
        },
        tx,
      );
      if (after === undefined) return before.is_deleted;
      await this.history.recordChanges(tx, [{ item_no: itemNo, before: before.json, after }], source(principal));
      return (JSON.parse(after) as { is_deleted: boolean }).is_deleted;
    });
  }

  /**
   * Body fields → column values, by each field's kind in the product field table. `all`: every
   * field (absent → null, as PUT and POST want); `present`: only the fields the request carries
   * (PATCH).
   */
  private async columns(
    tx: EntityManager,
    body: ProductFields,
    mode: 'all' | 'present',
  ): Promise<Partial<ProductColumnValues>> {
    const out: Partial<Record<Exclude<ProductColumn, 'is_deleted'>, string | number | null>> = {};
    for (const field of WRITABLE_FIELDS) {
      const value = body[field.name];
      if (mode === 'present' && value === undefined) continue;
      const [column] = field.columns;
      switch (field.value) {
        case 'ean':
          out[column.name] = value?.trim() ?? null;
          break;
        case 'line':
        case 'text':
        case 'url':
        case 'date':
          out[column.name] = value ?? null;
          break;
        case 'decimal':
          out[column.name] = decimal(value, field.decimal);
          break;
        case 'name':
          out[column.name] = value ? await this.names[field.names].resolveOrCreate(tx, value) : null;
          break;
        case 'category': {
          if (value === null || value === undefined) {
            out[column.name] = null;
            break;
          }
          const id = await this.categories.resolve(tx, value);
          if (id === undefined) throw new UnknownCategoryException();
          out[column.name] = id;
          break;
        }
        case 'discount': {
          const parsed = value === null || value === undefined ? undefined : parseDiscount(value);
          const { percent, amount } = discountColumns(parsed?.ok ? parsed.discount : null);
          out.discount_percent = percent;
          out.discount_amount = amount;
          // A discount set by hand belongs to no order.
          out.discount_order_number = null;
          break;
        }
      }
    }
    return out;
  }

  private get names(): Record<
    'manufacturers' | 'licenses',
    { resolveOrCreate(tx: EntityManager, name: string): Promise<number> }
  > {
    return { manufacturers: this.manufacturers, licenses: this.licenses };
  }
}

/** The fields every admin write may set (is_deleted only PATCH, item_no only POST). */
const WRITABLE_FIELDS = PRODUCT_FIELDS.filter(
  (f): f is Extract<ProductField, { write: 'always' }> => f.write === 'always',
);

function decimal(value: string | null | undefined, rule: DecimalRule): string | null {
  if (value === null || value === undefined) return null;
  const parsed = parseDecimal(value, rule);
  return parsed.ok ? parsed.value : null;
}

function source(principal: Principal): HistorySource {
  return { type: 'api', ref: principal.tokenName, actor: principal.username };
}
