import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from '@pjs/database';
import { nameKey } from '../catalogue/name-key';
import { poolOf, queryRows, type SqlExecutor } from '../catalogue/sql';
import { TRACKED_PRODUCT_FIELDS } from '../history/product-history.types';
import { productDetailQuery, productListQuery, type ProductListFilters } from './product.queries';

/** The writable columns of `products` (besides item_no) with their SQL types. */
export const PRODUCT_COLUMN_TYPES = {
  ean: 'varchar',
  title: 'varchar',
  description: 'text',
  manufacturer_id: 'int',
  license_id: 'int',
  category_id: 'int',
  purchase_price: 'numeric',
  rrp: 'numeric',
  release_date: 'date',
  weight_kg: 'numeric',
  image_url: 'varchar',
  safety_warnings: 'text',
  discount_percent: 'numeric',
  discount_amount: 'numeric',
  discount_order_number: 'varchar',
  is_deleted: 'boolean',
} as const;

export type ProductColumn = keyof typeof PRODUCT_COLUMN_TYPES;
export type ProductColumnValues = { [K in ProductColumn]: K extends 'is_deleted' ? boolean : string | number | null };

/** A product row image for history: `to_jsonb(p)::text`. */
export interface ProductImage {
  json: string;
  is_deleted: boolean;
}

/**
 * All SQL of `products`. Reads of the hot paths go straight to the pg pool as prepared
 * statements that return JSON text; writes run in the caller's transaction.
 */
@Injectable()
export class ProductRepository {
  private readonly pool: Pool;

  constructor(private readonly db: DataSource) {
    this.pool = poolOf(db);
  }

  /** The product as API JSON text, or undefined. */
  async detailJson(itemNo: string, includeDeleted = false): Promise<string | undefined> {
    const result = await this.pool.query<{ body: string }>(productDetailQuery(itemNo, includeDeleted));
    return result.rows[0]?.body;
  }

  /** A page of products (JSON array text) and the number of all that match. */
  async listJson(
    filters: ProductListFilters,
    page: { limit: number; offset: number },
  ): Promise<{ count: number; results: string }> {
    const result = await this.pool.query<{ count: number; results: string }>(productListQuery(filters, page, nameKey));
    const row = result.rows[0];
    return { count: row?.count ?? 0, results: row?.results ?? '[]' };
  }

  async countActive(): Promise<number> {
    const rows = await queryRows<{ n: string }>(this.db, `SELECT count(*) AS n FROM products WHERE NOT is_deleted`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Locks the row for a change and answers its image, or undefined when there is no such item. */
  async lockImage(tx: SqlExecutor, itemNo: string): Promise<ProductImage | undefined> {
    const rows = await queryRows<{ j: string; is_deleted: boolean }>(
      tx,
      `SELECT to_jsonb(p)::text AS j, p.is_deleted FROM products p WHERE p.item_no = $1 FOR UPDATE`,
      [itemNo],
    );
    return rows[0] ? { json: rows[0].j, is_deleted: rows[0].is_deleted } : undefined;
  }

  /** Inserts a product; undefined when the item number exists already. Answers the new row image. */
  async insert(tx: SqlExecutor, itemNo: string, values: ProductColumnValues): Promise<string | undefined> {
    const columns = Object.keys(PRODUCT_COLUMN_TYPES) as ProductColumn[];
    const placeholders = columns.map((c, i) => `$${i + 2}::${PRODUCT_COLUMN_TYPES[c]}`);
    const rows = await queryRows<{ j: string }>(
      tx,
      `WITH ins AS (
         INSERT INTO products (item_no, ${columns.join(', ')})
         VALUES ($1, ${placeholders.join(', ')})
         ON CONFLICT (item_no) DO NOTHING
         RETURNING to_jsonb(products.*)::text AS j)
       SELECT j FROM ins`,
      [itemNo, ...columns.map((c) => values[c])],
    );
    return rows[0]?.j;
  }

  /**
   * Sets the given columns (and `updated_at`) when any of them differs; answers the new row image,
   * or undefined when nothing changed.
   */
  async update(tx: SqlExecutor, itemNo: string, values: Partial<ProductColumnValues>): Promise<string | undefined> {
    const columns = (Object.keys(values) as ProductColumn[]).filter((c) => c in PRODUCT_COLUMN_TYPES);
    if (columns.length === 0) return undefined;
    const cast = columns.map((c, i) => `$${i + 2}::${PRODUCT_COLUMN_TYPES[c]}`);
    const rows = await queryRows<{ j: string }>(
      tx,
      `WITH upd AS (
         UPDATE products SET ${columns.map((c, i) => `${c} = ${cast[i]}`).join(', ')}, updated_at = now()
          WHERE item_no = $1 AND ROW(${columns.join(', ')}) IS DISTINCT FROM ROW(${cast.join(', ')})
         RETURNING to_jsonb(products.*)::text AS j)
       SELECT j FROM upd`,
      [itemNo, ...columns.map((c) => values[c])],
    );
    return rows[0]?.j;
  }

  /**
   * Sets discounts of many products at once (e-mailed order data); only rows whose discount or
   * order number changes are updated. Answers the new row images.
   */
  async applyDiscounts(
    tx: SqlExecutor,
    orderNumber: string,
    rows: readonly { item_no: string; percent: string | null; amount: string | null }[],
  ): Promise<{ item_no: string; j: string }[]> {
    if (rows.length === 0) return [];
    return queryRows(
      tx,
      `WITH v AS (
         SELECT * FROM unnest($2::text[], $3::numeric[], $4::numeric[]) AS v(item_no, percent, amount)
       ), upd AS (
         UPDATE products p
            SET discount_percent = v.percent, discount_amount = v.amount,
                discount_order_number = $1, updated_at = now()
           FROM v
          WHERE p.item_no = v.item_no
            AND (p.discount_percent, p.discount_amount, p.discount_order_number)
                IS DISTINCT FROM (v.percent, v.amount, $1::varchar)
         RETURNING p.item_no, to_jsonb(p.*)::text AS j)
       SELECT item_no, j FROM upd`,
      [orderNumber, rows.map((r) => r.item_no), rows.map((r) => r.percent), rows.map((r) => r.amount)],
    );
  }

  /** Active products among `itemNos`, locked for update, with their row images. */
  async lockActive(tx: SqlExecutor, itemNos: readonly string[]): Promise<Map<string, string>> {
    const rows = await queryRows<{ item_no: string; j: string }>(
      tx,
      `SELECT p.item_no, to_jsonb(p)::text AS j FROM products p
        WHERE p.item_no = ANY($1::text[]) AND NOT p.is_deleted
        ORDER BY p.item_no FOR UPDATE`,
      [itemNos],
    );
    return new Map(rows.map((r) => [r.item_no, r.j]));
  }

  /**
   * The tracked fields' current text values, and whether the product existed at `asOf` (history's
   * as_of); undefined when there is no such item.
   */
  async trackedValues(
    itemNo: string,
    asOf: string | null,
  ): Promise<{ existed: boolean; values: Record<string, string | null> } | undefined> {
    const rows = await queryRows<{ existed: boolean; field: string; value: string | null }>(
      this.db,
      `SELECT ($3::timestamptz IS NULL OR p.created_at <= $3::timestamptz) AS existed,
              f.field, to_jsonb(p) ->> f.field AS value
         FROM products p CROSS JOIN unnest($2::text[]) AS f(field)
        WHERE p.item_no = $1`,
      [itemNo, TRACKED_PRODUCT_FIELDS, asOf],
    );
    if (rows.length === 0) return undefined;
    return { existed: rows[0].existed, values: Object.fromEntries(rows.map((r) => [r.field, r.value])) };
  }
}
