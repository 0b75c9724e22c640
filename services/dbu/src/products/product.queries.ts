import { SqlConditions, escapeLike, isoUtc, prepared } from '../catalogue/sql';
import type { QueryConfig } from 'pg';

/**
 * The SQL of the catalogue's hot read paths. PostgreSQL builds the JSON answer itself
 * (json_build_object), so Node neither parses rows nor serialises objects: the API streams the
 * text through. The benchmark's bare server runs these very statements.
 */

const money = (column: string) => `round(${column}, 2)::text`;

const DISCOUNT = `CASE
    WHEN p.discount_percent IS NOT NULL THEN json_build_object('type', 'percent', 'value', ${money('p.discount_percent')}, 'order_number', p.discount_order_number)
    WHEN p.discount_amount IS NOT NULL THEN json_build_object('type', 'amount', 'value', ${money('p.discount_amount')}, 'order_number', p.discount_order_number)
  END`;

const LICENSE = `CASE WHEN l.id IS NULL THEN NULL ELSE json_build_object('id', l.id, 'name', l.name) END`;
const CATEGORY = `CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'name', c.name, 'path', c.path, 'parent_id', c.parent_id) END`;
const GPSR_COMPLETE = `coalesce(m.gpsr_complete, false)`;

/** The fields of a product in lists (no long texts, no photos, manufacturer by name). */
const LIST_FIELDS = `'item_no', p.item_no,
  'ean', p.ean,
  'title', p.title,
  'manufacturer', CASE WHEN m.id IS NULL THEN NULL ELSE json_build_object('id', m.id, 'name', m.name) END,
  'license', ${LICENSE},
  'category', ${CATEGORY},
  'purchase_price', ${money('p.purchase_price')},
  'rrp', ${money('p.rrp')},
  'release_date', p.release_date,
  'weight_kg', p.weight_kg::text,
  'image_url', p.image_url,
  'discount', ${DISCOUNT},
  'gpsr_complete', ${GPSR_COMPLETE},
  'is_deleted', p.is_deleted,
  'last_import_id', p.last_import_id,
  'updated_at', ${isoUtc('p.updated_at')}`;

const MANUFACTURER_DETAIL = `CASE WHEN m.id IS NULL THEN NULL ELSE json_build_object(
    'id', m.id,
    'name', m.name,
    'address', json_build_object('street', m.street, 'postal_code', m.postal_code, 'city', m.city, 'country', btrim(m.country)),
    'email', m.email,
    'contact_url', m.contact_url,
    'eu_responsible_person', CASE
      WHEN m.eu_responsible_name IS NULL AND m.eu_responsible_address IS NULL AND m.eu_responsible_email IS NULL THEN NULL
      ELSE json_build_object('name', m.eu_responsible_name, 'address', m.eu_responsible_address, 'email', m.eu_responsible_email)
    END) END`;

const PHOTOS = `coalesce((
    SELECT json_agg(json_build_object(
             'id', ph.id, 'url', ph.source_url, 'status', ph.status, 'path', ph.path,
             'content_type', ph.content_type, 'bytes', ph.bytes, 'sha256', ph.sha256,
             'fetched_at', ${isoUtc('ph.fetched_at')}) ORDER BY ph.id)
      FROM product_photos ph WHERE ph.item_no = p.item_no), '[]'::json)`;

const DETAIL_FIELDS = `'item_no', p.item_no,
  'ean', p.ean,
  'title', p.title,
  'description', p.description,
  'manufacturer', ${MANUFACTURER_DETAIL},
  'license', ${LICENSE},
  'category', ${CATEGORY},
  'purchase_price', ${money('p.purchase_price')},
  'rrp', ${money('p.rrp')},
  'release_date', p.release_date,
  'weight_kg', p.weight_kg::text,
  'image_url', p.image_url,
  'safety_warnings', p.safety_warnings,
  'discount', ${DISCOUNT},
  'gpsr_complete', ${GPSR_COMPLETE},
  'gpsr', json_build_object('complete', ${GPSR_COMPLETE}, 'missing', coalesce(m.gpsr_missing, ARRAY['manufacturer']::text[])),
  'photos', ${PHOTOS},
  'is_deleted', p.is_deleted,
  'last_import_id', p.last_import_id,
  'created_at', ${isoUtc('p.created_at')},
  'updated_at', ${isoUtc('p.updated_at')}`;

const JOINS = `LEFT JOIN manufacturers m ON m.id = p.manufacturer_id
  LEFT JOIN licenses l ON l.id = p.license_id
  LEFT JOIN categories c ON c.id = p.category_id`;

const DETAIL_SQL = `SELECT json_build_object(${DETAIL_FIELDS})::text AS body
  FROM products p ${JOINS}
 WHERE p.item_no = $1 AND (NOT p.is_deleted OR $2::boolean)`;

/** One product with manufacturer (GPSR), license, category, photos and discount; `body` is JSON text. */
export function productDetailQuery(itemNo: string, includeDeleted = false): QueryConfig {
  return prepared(DETAIL_SQL, [itemNo, includeDeleted]);
}

export interface ProductListFilters {
  search?: string;
  license?: string;
  category?: string;
  manufacturer?: string;
  /** ISO timestamp. */
  updatedSince?: string;
  itemNos?: string[];
  complete?: boolean;
  changedInImport?: string;
  includeDeleted?: boolean;
}

/** Keys a search needs before the title's trigram index can help. */
export const MIN_TITLE_SEARCH = 3;

/** Filters as SQL conditions on `products p`; lookups by name use the given key function. */
export function productConditions(filters: ProductListFilters, nameKey: (name: string) => string): SqlConditions {
  const sql = new SqlConditions();
  if (!filters.includeDeleted) sql.add('NOT p.is_deleted');
  if (filters.search !== undefined) {
    const text = filters.search;
    const raw = sql.param(text);
    if (text.length >= MIN_TITLE_SEARCH) {
      const like = sql.param(`%${escapeLike(text)}%`);
      sql.add(`(p.title ILIKE ${like} OR p.item_no ILIKE ${like} OR p.ean = ${raw})`);
    } else {
      sql.add(`(p.item_no = ${raw} OR p.ean = ${raw})`);
    }
  }
  if (filters.license !== undefined) {
    sql.add(`p.license_id IN (SELECT id FROM licenses WHERE ${byIdOrName(sql, filters.license, nameKey)})`);
  }
  if (filters.manufacturer !== undefined) {
    sql.add(
      `p.manufacturer_id IN (SELECT id FROM manufacturers WHERE ${byIdOrName(sql, filters.manufacturer, nameKey)})`,
    );
  }
  if (filters.category !== undefined) {
    const ref = filters.category;
    const roots = /^\d{1,9}$/.test(ref)
      ? `id = ${sql.param(Number(ref))}::int OR external_id = ${sql.param(ref)}`
      : `path = ${sql.param(ref)} OR external_id = ${sql.param(ref)} OR lower(name) = lower(${sql.param(ref)})`;
    // A category includes its whole subtree.
    sql.add(`p.category_id IN (
      WITH RECURSIVE sub(id) AS (
        SELECT id FROM categories WHERE ${roots}
        UNION SELECT c2.id FROM categories c2 JOIN sub ON c2.parent_id = sub.id)
      SELECT id FROM sub)`);
  }
  if (filters.updatedSince !== undefined) sql.add(`p.updated_at >= ${sql.param(filters.updatedSince)}::timestamptz`);
  if (filters.itemNos !== undefined) sql.add(`p.item_no = ANY(${sql.param(filters.itemNos)}::text[])`);
  if (filters.complete !== undefined) {
    sql.add(
      filters.complete
        ? `p.manufacturer_id IN (SELECT id FROM manufacturers WHERE gpsr_complete)`
        : `(p.manufacturer_id IS NULL OR p.manufacturer_id IN (SELECT id FROM manufacturers WHERE NOT gpsr_complete))`,
    );
  }
  if (filters.changedInImport !== undefined) sql.add(`p.last_import_id = ${sql.param(filters.changedInImport)}::uuid`);
  return sql;
}

function byIdOrName(sql: SqlConditions, ref: string, nameKey: (name: string) => string): string {
  return /^\d{1,9}$/.test(ref) ? `id = ${sql.param(Number(ref))}::int` : `name_key = ${sql.param(nameKey(ref))}`;
}

/**
 * One page of products in stable `item_no` order plus the total count, in one round trip:
 * `count` (int) and `results` (JSON array text).
 *
 * With a selective filter (search, item_no batch) the matching keys are collected once (bitmap
 * scans on the trigram / primary-key indexes) and both the count and the page come from them;
 * this shape also keeps PostgreSQL's cached generic plan from walking the primary key in
 * `item_no` order while filtering a million rows. Without one, the page walks the primary key
 * and the count scans what matches.
 */
export function productListQuery(
  filters: ProductListFilters,
  page: { limit: number; offset: number },
  nameKey: (name: string) => string,
): QueryConfig {
  const sql = productConditions(filters, nameKey);
  const where = sql.where();
  const limit = sql.param(page.limit);
  const offset = sql.param(page.offset);
  const results = `coalesce((SELECT json_agg(json_build_object(${LIST_FIELDS}) ORDER BY p.item_no)
                       FROM page p ${JOINS}), '[]'::json)::text AS results`;
  const selective = filters.search !== undefined || filters.itemNos !== undefined;
  const text = selective
    ? `WITH matches AS MATERIALIZED (SELECT p.item_no FROM products p ${where}),
      page AS MATERIALIZED (
        SELECT p.* FROM products p
         WHERE p.item_no IN (SELECT item_no FROM matches ORDER BY item_no LIMIT ${limit} OFFSET ${offset})
      )
    SELECT (SELECT count(*) FROM matches)::int AS count, ${results}`
    : `WITH page AS MATERIALIZED (
      SELECT p.* FROM products p ${where} ORDER BY p.item_no LIMIT ${limit} OFFSET ${offset}
    )
    SELECT (SELECT count(*) FROM products p ${where})::int AS count, ${results}`;
  return prepared(text, sql.params);
}
