import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from '@pjs/database';
import { DBU_CONFIG, type DbuConfig } from '../config/dbu-config';
import { PRODUCT_COLUMNS, type ProductField, type SqlType } from '../catalogue/product-fields';
import { nameKey } from '../catalogue/name-key';
import { poolOf, queryRows, type SqlExecutor } from '../shared/sql';
import type { ProductCursor, ProductOrdering } from './product-cursor';
import {
  productCappedCountQuery,
  productDetailQuery,
  productEstimateQuery,
  productKeysetQuery,
  productListQuery,
  type ProductListFilters,
} from './product.queries';

/** The writable columns of `products` (besides item_no), from the product field table. */
export type ProductColumn = Exclude<ProductField['columns'][number]['name'], 'item_no'>;
export type ProductColumnValues = { [K in ProductColumn]: K extends 'is_deleted' ? boolean : string | number | null };

/** Each column's SQL type, for the casts of the parameters. */
const COLUMN_TYPES: ReadonlyMap<string, SqlType> = new Map(PRODUCT_COLUMNS.map((c) => [c.name, c.type]));
const WRITABLE_COLUMNS = PRODUCT_COLUMNS.map((c) => c.name as ProductColumn);

/** Below this estimate the count is exact (a capped count reads at most this many rows). */
const EXACT_COUNT_BELOW = 1000;

/** A keyset page: the rows as JSON text, whether more lie beyond, and its first and last keys. */
export interface ProductKeysetPage {
  results: string;
  hasMore: boolean;
  firstKey: string[] | undefined;
  lastKey: string[] | undefined;
}

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

  /** What the photos' `file_url` starts with: PUBLIC_BASE_URL without a trailing slash, or ''. */
  private readonly mediaBase: string;

  constructor(
    private readonly db: DataSource,
    @Inject(DBU_CONFIG) config: Pick<DbuConfig, 'PUBLIC_BASE_URL'>,
  ) {
    this.pool = poolOf(db);
    this.mediaBase = (config.PUBLIC_BASE_URL ?? '').replace(/\/+$/, '');
  }

  /** The product as API JSON text, or undefined; `tx`: read inside a write's transaction. */
  async detailJson(itemNo: string, includeDeleted = false, tx?: SqlExecutor): Promise<string | undefined> {
    const query = productDetailQuery(itemNo, includeDeleted, this.mediaBase);
    if (tx) return (await queryRows<{ body: string }>(tx, query.text, query.values))[0]?.body;
    const result = await this.pool.query<{ body: string }>(query);
    return result.rows[0]?.body;
  }

  /** A page of products (JSON array text) and the number of all that match. */
  async listJson(
    filters: ProductListFilters,
    page: { limit: number; offset: number },
    ordering: ProductOrdering = 'item_no',
  ): Promise<{ count: number; results: string }> {
    const result = await this.pool.query<{ count: number; results: string }>(
      productListQuery(filters, page, nameKey, this.mediaBase, ordering),
    );
    const row = result.rows[0];
    return { count: row?.count ?? 0, results: row?.results ?? '[]' };
  }

  /** A keyset page of products (see productKeysetQuery for `collectMatches`). */
  async keysetJson(
    filters: ProductListFilters,
    ordering: ProductOrdering,
    cursor: ProductCursor | undefined,
    size: number,
    collectMatches = false,
  ): Promise<ProductKeysetPage> {
    const result = await this.pool.query<{
      has_more: boolean;
      first_key: string | null;
      last_key: string | null;
      results: string;
    }>(productKeysetQuery(filters, ordering, cursor, size, nameKey, this.mediaBase, collectMatches));
    const row = result.rows[0];
    const key = (text: string | null | undefined) => (text ? (JSON.parse(text) as string[]) : undefined);
    return {
      results: row?.results ?? '[]',
      hasMore: row?.has_more ?? false,
      firstKey: key(row?.first_key),
      lastKey: key(row?.last_key),
    };
  }

  /**
   * How many products match, without counting a million rows: the planner's estimate, and an
   * exact count (reading at most EXACT_COUNT_BELOW rows) when the estimate is that small.
   */
  async estimateCount(filters: ProductListFilters): Promise<{ count: number; estimated: boolean }> {
    const plan = await this.pool.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
      productEstimateQuery(filters, nameKey),
    );
    const estimate = Math.round(plan.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
    if (estimate > EXACT_COUNT_BELOW) return { count: estimate, estimated: true };
    const capped = await this.pool.query<{ n: number }>(
      productCappedCountQuery(filters, EXACT_COUNT_BELOW + 1, nameKey),
    );
    const n = capped.rows[0]?.n ?? 0;
    // More than the cap: the statistics are behind; the planner's figure is all there is.
    return n <= EXACT_COUNT_BELOW ? { count: n, estimated: false } : { count: Math.max(n, estimate), estimated: true };
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
    const columns = WRITABLE_COLUMNS;
    const placeholders = columns.map((c, i) => `$${i + 2}::${COLUMN_TYPES.get(c)}`);
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
    const columns = (Object.keys(values) as ProductColumn[]).filter((c) => COLUMN_TYPES.has(c));
    if (columns.length === 0) return undefined;
    const cast = columns.map((c, i) => `$${i + 2}::${COLUMN_TYPES.get(c)}`);
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
}
