import { PHOTO_ROUTE_PREFIX } from '../photos/photo-files';
import { SqlConditions, escapeLike, isoUtc, prepared } from '../shared/sql';
import type { QueryConfig } from 'pg';
import { isDescending, sortColumnOf, type ProductCursor, type ProductOrdering } from './product-cursor';

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

/** The served URLs of a product's stored photos, each `<base> || '/media/photos/<name>'` (lists). */
const photoUrls = (base: string) => `'photo_urls', coalesce((
    SELECT json_agg(${base}::text || '${PHOTO_ROUTE_PREFIX}' || regexp_replace(ph.path, '^.*/', '') ORDER BY ph.id)
      FROM product_photos ph WHERE ph.item_no = p.item_no AND ph.status = 'stored' AND ph.path IS NOT NULL), '[]'::json)`;

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
             'file_url', CASE WHEN ph.status = 'stored' AND ph.path IS NOT NULL
                              THEN $3::text || '${PHOTO_ROUTE_PREFIX}' || regexp_replace(ph.path, '^.*/', '') END,
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
  ${photoUrls('$3')},
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

/**
 * One product with manufacturer (GPSR), license, category, photos and discount; `body` is JSON
 * text. `mediaBase`: what the photos' `file_url` starts with (PUBLIC_BASE_URL, or '' for a path).
 */
export function productDetailQuery(itemNo: string, includeDeleted = false, mediaBase = ''): QueryConfig {
  return prepared(DETAIL_SQL, [itemNo, includeDeleted, mediaBase]);
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

/** `ORDER BY` of an ordering over rows aliased `alias`: `(column, item_no)`; `reverse` reads it backwards. */
function orderBy(ordering: ProductOrdering, alias: string, reverse = false): string {
  const column = sortColumnOf(ordering);
  const direction = isDescending(ordering) !== reverse ? ' DESC' : '';
  const columns = column === 'item_no' ? ['item_no'] : [column, 'item_no'];
  return columns.map((c) => `${alias}.${c}${direction}`).join(', ');
}

/**
 * One page of products in a stable order (`item_no` unless `ordering` says otherwise) plus the
 * exact count, in one round trip: `count` (int) and `results` (JSON array text). The page-number
 * list of existing callers; the keyset list below serves deep pages.
 *
 * With a selective filter (search, item_no batch) the matching keys are collected once (bitmap
 * scans on the trigram / primary-key indexes) and both the count and the page come from them;
 * this shape also keeps PostgreSQL's cached generic plan from walking the primary key in
 * `item_no` order while filtering a million rows. Without one, the page walks the ordering's
 * index and the count scans what matches.
 */
export function productListQuery(
  filters: ProductListFilters,
  page: { limit: number; offset: number },
  nameKey: (name: string) => string,
  mediaBase = '',
  ordering: ProductOrdering = 'item_no',
): QueryConfig {
  const sql = productConditions(filters, nameKey);
  const where = sql.where();
  const limit = sql.param(page.limit);
  const offset = sql.param(page.offset);
  const fields = `${LIST_FIELDS},\n  ${photoUrls(sql.param(mediaBase))}`;
  const results = `coalesce((SELECT json_agg(json_build_object(${fields}) ORDER BY ${orderBy(ordering, 'p')})
                       FROM page p ${JOINS}), '[]'::json)::text AS results`;
  const text = isSelective(filters)
    ? `WITH matches AS MATERIALIZED (SELECT p.item_no, p.title, p.updated_at FROM products p ${where}),
      page AS MATERIALIZED (
        SELECT p.* FROM products p
         WHERE p.item_no IN (SELECT m.item_no FROM matches m ORDER BY ${orderBy(ordering, 'm')} LIMIT ${limit} OFFSET ${offset})
      )
    SELECT (SELECT count(*) FROM matches)::int AS count, ${results}`
    : `WITH page AS MATERIALIZED (
      SELECT p.* FROM products p ${where} ORDER BY ${orderBy(ordering, 'p')} LIMIT ${limit} OFFSET ${offset}
    )
    SELECT (SELECT count(*) FROM products p ${where})::int AS count, ${results}`;
  return prepared(text, sql.params);
}

/** Filters that match few rows, found through their own indexes rather than the ordering's. */
function isSelective(filters: ProductListFilters): boolean {
  return filters.search !== undefined || filters.itemNos !== undefined;
}

/** Whether anything narrows the list beyond the deleted rows. */
export function hasFilters(filters: ProductListFilters): boolean {
  return Object.entries(filters).some(([name, value]) => name !== 'includeDeleted' && value !== undefined);
}

/** The sort key of a row of `products p` as JSON: `[item_no]` or `[value, item_no]` (what a cursor holds). */
function keyJson(ordering: ProductOrdering, alias: string): string {
  switch (sortColumnOf(ordering)) {
    case 'item_no':
      return `json_build_array(${alias}.item_no)`;
    case 'title':
      return `json_build_array(${alias}.title, ${alias}.item_no)`;
    case 'updated_at':
      return `json_build_array(${isoUtc(`${alias}.updated_at`)}, ${alias}.item_no)`;
  }
}

/** The rows of `alias` strictly after (or before) the cursor's key, as one row comparison the index serves. */
function keysetCondition(sql: SqlConditions, cursor: ProductCursor, alias: string): string {
  const forward = (cursor.direction === 'after') !== isDescending(cursor.ordering);
  const op = forward ? '>' : '<';
  const itemNo = sql.param(cursor.key.itemNo);
  switch (sortColumnOf(cursor.ordering)) {
    case 'item_no':
      return `${alias}.item_no ${op} ${itemNo}`;
    case 'title':
      return `(${alias}.title, ${alias}.item_no) ${op} (${sql.param(cursor.key.value)}::text, ${itemNo}::text)`;
    case 'updated_at':
      return `(${alias}.updated_at, ${alias}.item_no) ${op} (${sql.param(cursor.key.value)}::timestamptz, ${itemNo}::text)`;
  }
}

/**
 * One keyset page: up to `size` products from the cursor's position on (from the start without
 * one), read in the cursor's direction, answered in the ordering's order. No count: `has_more`
 * says whether rows lie beyond the page in the reading direction (one extra row is read), and
 * `first_key` / `last_key` (JSON arrays) are what the next and previous cursors hold.
 *
 * Two shapes: walking the ordering's `(column, item_no)` index from the key (a deep page costs
 * what the first does; right when matches are dense), or, with `collectMatches`, collecting the
 * matches through the filters' own indexes and sorting them (right when they are few: walking
 * for them can read the rest of the index, e.g. past the last match of a license). Search and
 * item_no batches always collect.
 */
export function productKeysetQuery(
  filters: ProductListFilters,
  ordering: ProductOrdering,
  cursor: ProductCursor | undefined,
  size: number,
  nameKey: (name: string) => string,
  mediaBase = '',
  collectMatches = false,
): QueryConfig {
  const sql = productConditions(filters, nameKey);
  const reverse = cursor?.direction === 'before';
  const read = (alias: string) => orderBy(ordering, alias, reverse);
  const fetch = sql.param(size + 1);
  let page: string;
  if (collectMatches || isSelective(filters)) {
    const where = sql.where();
    const after = cursor ? `WHERE ${keysetCondition(sql, cursor, 'm')}` : '';
    // The page's rows are fetched by their row address (a TID scan): given `item_no = …` the
    // planner may pick the item-number trigram index over the primary key, at ms per row.
    page = `matches AS MATERIALIZED (SELECT p.ctid AS tid, p.item_no, p.title, p.updated_at FROM products p ${where}),
      keys AS MATERIALIZED (SELECT m.tid FROM matches m ${after} ORDER BY ${read('m')} LIMIT ${fetch}),
      page AS MATERIALIZED (SELECT p.* FROM products p WHERE p.ctid = ANY (ARRAY(SELECT k.tid FROM keys k)))`;
  } else {
    if (cursor) sql.add(keysetCondition(sql, cursor, 'p'));
    page = `page AS MATERIALIZED (SELECT p.* FROM products p ${sql.where()} ORDER BY ${read('p')} LIMIT ${fetch})`;
  }
  const fields = `${LIST_FIELDS},\n  ${photoUrls(sql.param(mediaBase))}`;
  const text = `WITH ${page},
      shown AS MATERIALIZED (SELECT p.* FROM page p ORDER BY ${read('p')} LIMIT ${sql.param(size)})
    SELECT (SELECT count(*) FROM page) > (SELECT count(*) FROM shown) AS has_more,
      (SELECT ${keyJson(ordering, 'p')} FROM shown p ORDER BY ${orderBy(ordering, 'p')} LIMIT 1)::text AS first_key,
      (SELECT ${keyJson(ordering, 'p')} FROM shown p ORDER BY ${orderBy(ordering, 'p', true)} LIMIT 1)::text AS last_key,
      coalesce((SELECT json_agg(json_build_object(${fields}) ORDER BY ${orderBy(ordering, 'p')})
                  FROM shown p ${JOINS}), '[]'::json)::text AS results`;
  return prepared(text, sql.params);
}

/**
 * The planner's estimate of the rows the filters match (`EXPLAIN`, no scan): PostgreSQL derives
 * it from pg_class.reltuples scaled to the table's current size and the columns' statistics.
 */
export function productEstimateQuery(filters: ProductListFilters, nameKey: (name: string) => string): QueryConfig {
  const sql = productConditions(filters, nameKey);
  return { text: `EXPLAIN (FORMAT JSON) SELECT 1 FROM products p ${sql.where()}`, values: sql.params };
}

/** The exact count of what the filters match, but reading at most `cap` rows (for small estimates). */
export function productCappedCountQuery(
  filters: ProductListFilters,
  cap: number,
  nameKey: (name: string) => string,
): QueryConfig {
  const sql = productConditions(filters, nameKey);
  const where = sql.where();
  return prepared(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM products p ${where} LIMIT ${sql.param(cap)}) capped`,
    sql.params,
  );
}

/** One product as lists show it (`json_build_object`), over `products p` joined by PRODUCT_JOINS. */
export const PRODUCT_LIST_JSON = `json_build_object(${LIST_FIELDS})`;
/** The joins PRODUCT_LIST_JSON reads (manufacturer m, license l, category c). */
export const PRODUCT_JOINS = JOINS;
