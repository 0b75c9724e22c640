import { Injectable } from '@nestjs/common';
import type { Principal } from '@pjs/auth';
import { DataSource, type EntityManager } from '@pjs/database';
import { MONEY, WEIGHT, parseDecimal, type DecimalRule } from '../catalogue/decimal';
import { discountColumns, parseDiscount } from '../catalogue/discount';
import { CategoryRepository } from '../categories/category.repository';
import { ProductHistoryRepository } from '../history/product-history.repository';
import type { HistorySource } from '../history/product-history.types';
import { LicenseRepository } from '../licenses/license.repository';
import type { ProductCreateDto, ProductFieldsDto, ProductPatchDto, ProductReplaceDto } from './dto/product-write.dto';
import { ManufacturerRepository } from './manufacturer.repository';
import { ProductExistsException, ProductNotFoundException, UnknownCategoryException } from './product.exceptions';
import { ProductRepository, type ProductColumnValues } from './product.repository';
import { ProductService } from './product.service';

type Fields = ProductFieldsDto & { title?: string; is_deleted?: boolean };

/**
 * Admin writes: create, replace, patch and soft-delete. Each runs in one transaction that locks
 * the product, writes it and records the changed fields in the history (source `api`, the token's
 * name, the user).
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
  ) {}

  async create(dto: ProductCreateDto, principal: Principal): Promise<string> {
    await this.db.transaction(async (tx) => {
      const values = { ...(await this.columns(tx, dto, 'all')), title: dto.title, is_deleted: false };
      const after = await this.products.insert(tx, dto.item_no, values as ProductColumnValues);
      if (after === undefined) {
        const existing = await this.products.lockImage(tx, dto.item_no);
        throw new ProductExistsException(dto.item_no, existing?.is_deleted ?? false);
      }
      await this.history.recordChanges(tx, [{ item_no: dto.item_no, before: null, after }], source(principal));
    });
    return this.reads.detailJson(dto.item_no);
  }

  /** Replaces every field (omitted ones are cleared) and restores a deleted product. */
  async replace(itemNo: string, dto: ProductReplaceDto, principal: Principal): Promise<string> {
    await this.change(itemNo, principal, async (tx) => ({
      ...(await this.columns(tx, dto, 'all')),
      title: dto.title,
      is_deleted: false,
    }));
    return this.reads.detailJson(itemNo);
  }

  async patch(itemNo: string, dto: ProductPatchDto, principal: Principal): Promise<string> {
    const deleted = await this.change(itemNo, principal, async (tx) => {
      const values: Partial<ProductColumnValues> = await this.columns(tx, dto, 'present');
      if (dto.title !== undefined) values.title = dto.title;
      if (dto.is_deleted !== undefined) values.is_deleted = dto.is_deleted;
      return values;
    });
    return this.reads.detailJson(itemNo, deleted);
  }

  /** Soft delete: the row stays (and its history); lists and lookups stop showing it. */
  async remove(itemNo: string, principal: Principal): Promise<void> {
    await this.db.transaction(async (tx) => {
      const before = await this.products.lockImage(tx, itemNo);
      if (!before || before.is_deleted) throw new ProductNotFoundException(itemNo);
      const after = await this.products.update(tx, itemNo, { is_deleted: true });
      if (after)
        await this.history.recordChanges(tx, [{ item_no: itemNo, before: before.json, after }], source(principal));
    });
  }

  /** Locks, writes and records; answers whether the product is deleted afterwards. */
  private async change(
    itemNo: string,
    principal: Principal,
    values: (tx: EntityManager) => Promise<Partial<ProductColumnValues>>,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const before = itemNo.length <= 64 ? await this.products.lockImage(tx, itemNo) : undefined;
      if (!before) throw new ProductNotFoundException(itemNo);
      const set = await values(tx);
      const after = await this.products.update(tx, itemNo, set);
      if (after === undefined) return before.is_deleted;
      await this.history.recordChanges(tx, [{ item_no: itemNo, before: before.json, after }], source(principal));
      return (JSON.parse(after) as { is_deleted: boolean }).is_deleted;
    });
  }

  /**
   * DTO fields → column values. `all`: every field (absent → null, as PUT and POST want);
   * `present`: only the fields the request carries (PATCH).
   */
  private async columns(
    tx: EntityManager,
    dto: Fields,
    mode: 'all' | 'present',
  ): Promise<Partial<ProductColumnValues>> {
    const out: Partial<ProductColumnValues> = {};
    const wanted = (key: keyof Fields): boolean => mode === 'all' || dto[key] !== undefined;
    const text = (value: string | null | undefined): string | null => value ?? null;

    if (wanted('ean')) out.ean = dto.ean?.trim() ?? null;
    if (wanted('description')) out.description = text(dto.description);
    if (wanted('image_url')) out.image_url = text(dto.image_url);
    if (wanted('safety_warnings')) out.safety_warnings = text(dto.safety_warnings);
    if (wanted('release_date')) out.release_date = text(dto.release_date);
    if (wanted('purchase_price')) out.purchase_price = decimal(dto.purchase_price, MONEY);
    if (wanted('rrp')) out.rrp = decimal(dto.rrp, MONEY);
    if (wanted('weight_kg')) out.weight_kg = decimal(dto.weight_kg, WEIGHT);
    if (wanted('manufacturer')) {
      out.manufacturer_id = dto.manufacturer ? await this.manufacturers.resolveOrCreate(tx, dto.manufacturer) : null;
    }
    if (wanted('license')) {
      out.license_id = dto.license ? await this.licenses.resolveOrCreate(tx, dto.license) : null;
    }
    if (wanted('category')) {
      if (dto.category === null || dto.category === undefined) {
        out.category_id = null;
      } else {
        const id = await this.categories.resolve(tx, dto.category);
        if (id === undefined) throw new UnknownCategoryException();
        out.category_id = id;
      }
    }
    if (wanted('discount')) {
      const parsed = dto.discount === null || dto.discount === undefined ? undefined : parseDiscount(dto.discount);
      const columns = discountColumns(parsed?.ok ? parsed.discount : null);
      out.discount_percent = columns.percent;
      out.discount_amount = columns.amount;
      // A discount set by hand belongs to no order.
      out.discount_order_number = null;
    }
    return out;
  }
}

function decimal(value: string | number | null | undefined, rule: DecimalRule): string | null {
  if (value === null || value === undefined) return null;
  const parsed = parseDecimal(value, rule);
  return parsed.ok ? parsed.value : null;
}

function source(principal: Principal): HistorySource {
  return { type: 'api', ref: principal.tokenName, actor: principal.username };
}
