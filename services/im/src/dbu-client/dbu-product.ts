/** The part of a DBU product IM keeps in `item_details`, normalised. */
export interface DbuProduct {
  item_no: string;
  title: string;
  ean: string | null;
  manufacturer: string | null;
  license: string | null;
  category: string | null;
  /** `YYYY-MM-DD`. */
  release_date: string | null;
  /** Exact decimal as text (e.g. `"19.99"`), never a float. */
  rrp: string | null;
  image_url: string | null;
  /** Where DBU serves the stored photos (`photo_urls`, or the details' `photos[].file_url`). */
  photo_urls: string[];
  gpsr_complete: boolean | null;
  /** DBU's `updated_at` (ISO timestamp). */
  updated_at: string | null;
}

/** One page of a DRF-paginated list. */
export interface DbuPage<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const DECIMAL = /^-?\d+(\.\d+)?$/;
const DATE = /^(\d{4}-\d{2}-\d{2})/;

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A name from `"Star Wars"` or `{"name": "Star Wars", ...}`. */
function named(value: unknown): string | null {
  if (isObject(value)) return text(value.name) ?? text(value.path);
  return text(value);
}

function decimal(value: unknown): string | null {
  const raw = text(value);
  return raw !== null && DECIMAL.test(raw) ? raw : null;
}

function date(value: unknown): string | null {
  const raw = text(value);
  return raw === null ? null : (DATE.exec(raw)?.[1] ?? null);
}

function imageUrl(product: Json): string | null {
  const direct = text(product.image_url);
  if (direct) return direct;
  if (Array.isArray(product.photos)) {
    for (const photo of product.photos as unknown[]) {
      if (typeof photo === 'string') return photo;
      if (isObject(photo)) {
        const url = text(photo.url) ?? text(photo.source_url);
        if (url) return url;
      }
    }
  }
  return null;
}

/** At most this many photo URLs are kept per item, each at most this long. */
const MAX_PHOTOS = 20;
const MAX_URL = 2000;

function photoUrls(product: Json): string[] {
  const listed = Array.isArray(product.photo_urls)
    ? (product.photo_urls as unknown[])
    : Array.isArray(product.photos)
      ? (product.photos as unknown[]).map((photo) => (isObject(photo) ? photo.file_url : undefined))
      : [];
  return listed
    .filter((url): url is string => typeof url === 'string' && url.length <= MAX_URL && /^(https?:\/\/|\/)/.test(url))
    .slice(0, MAX_PHOTOS);
}

function gpsrComplete(product: Json): boolean | null {
  if (typeof product.gpsr_complete === 'boolean') return product.gpsr_complete;
  if (isObject(product.gpsr)) {
    if (typeof product.gpsr.complete === 'boolean') return product.gpsr.complete;
    if (typeof product.gpsr.is_complete === 'boolean') return product.gpsr.is_complete;
  }
  return null;
}

/**
 * Reads one product of DBU's API. Tolerant of shape details that are not ours to fix (license and
 * category as names or objects, numbers as strings or numbers); `undefined` when the record has no
 * item number or title, which makes it useless to us.
 */
export function parseDbuProduct(value: unknown): DbuProduct | undefined {
  if (!isObject(value)) return undefined;
  const itemNo = text(value.item_no);
  const title = text(value.title);
  if (!itemNo || !title) return undefined;
  return {
    item_no: itemNo,
    title,
    ean: text(value.ean),
    manufacturer: named(value.manufacturer) ?? text(value.manufacturer_name),
    license: named(value.license) ?? text(value.license_name),
    category: named(value.category) ?? text(value.category_name),
    release_date: date(value.release_date),
    rrp: decimal(value.rrp),
    image_url: imageUrl(value),
    photo_urls: photoUrls(value),
    gpsr_complete: gpsrComplete(value),
    updated_at: text(value.updated_at),
  };
}

/** True for a DRF page: `{count, next, previous, results: []}`. */
export function isDbuPage(value: unknown): value is DbuPage<unknown> {
  return (
    isObject(value) &&
    Array.isArray(value.results) &&
    (value.next === null || typeof value.next === 'string' || value.next === undefined)
  );
}

/** One change of DBU's feed: the product as it is now, null when DBU deleted it (softly or for good). */
export interface DbuFeedChange {
  item_no: string;
  product: DbuProduct | null;
}

/** A page of `GET /api/products/changes/`. */
export interface DbuFeedPage {
  changes: DbuFeedChange[];
  next: string;
  hasMore: boolean;
  head: string;
}

/** Reads a changes page; undefined when it is not one. Changes without an item number are dropped. */
export function parseFeedPage(value: unknown): DbuFeedPage | undefined {
  if (!isObject(value) || !Array.isArray(value.results)) return undefined;
  const { next, head, has_more: hasMore } = value;
  if (typeof next !== 'string' || typeof head !== 'string' || typeof hasMore !== 'boolean') return undefined;
  const changes: DbuFeedChange[] = [];
  for (const raw of value.results as unknown[]) {
    if (!isObject(raw)) continue;
    const itemNo = text(raw.item_no);
    if (!itemNo) continue;
    const product = raw.deleted === true ? undefined : parseDbuProduct(raw.product);
    changes.push({ item_no: itemNo, product: product ?? null });
  }
  return { changes, next, hasMore, head };
}
