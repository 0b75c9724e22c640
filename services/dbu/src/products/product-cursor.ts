/**
 * Keyset positions in the product list. A cursor is opaque to callers: base64url of a small JSON
 * object naming the ordering it belongs to, the direction to read and the key of the row to read
 * from, `(ordering column, item_no)`. Decoding checks every part, so a forged cursor never reaches
 * PostgreSQL as a value it would refuse.
 */
import { isStorableText } from '@pjs/http';

/** The orders of the product list; each is `(column, item_no)`, ascending or (`-`) descending. */
export const PRODUCT_ORDERINGS = ['item_no', '-item_no', 'title', '-title', 'updated_at', '-updated_at'] as const;
export type ProductOrdering = (typeof PRODUCT_ORDERINGS)[number];
export type ProductSortColumn = 'item_no' | 'title' | 'updated_at';

export function sortColumnOf(ordering: ProductOrdering): ProductSortColumn {
  return ordering.replace(/^-/, '') as ProductSortColumn;
}

export function isDescending(ordering: ProductOrdering): boolean {
  return ordering.startsWith('-');
}

/** A row's place in an ordering: the sort column's value (absent for item_no) and the item number. */
export interface ProductKey {
  /** The title, or updated_at as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds, as stored). */
  value?: string;
  itemNo: string;
}

/** `after`: the rows following `key` in the ordering; `before`: the rows preceding it. */
export interface ProductCursor {
  ordering: ProductOrdering;
  direction: 'after' | 'before';
  key: ProductKey;
}

/** Longest cursor text: a 500-character title of 4-byte characters, base64url. */
export const MAX_CURSOR_LENGTH = 3000;

const MICROSECOND_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.\d{6}Z$/;
const MAX_TITLE = 500;
const MAX_ITEM_NO = 64;

export function encodeProductCursor(cursor: ProductCursor): string {
  const body: Record<string, string> = { o: cursor.ordering, d: cursor.direction === 'after' ? 'a' : 'b' };
  if (cursor.key.value !== undefined) body.v = cursor.key.value;
  body.k = cursor.key.itemNo;
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The cursor, or undefined when the text is not one this list handed out. */
export function decodeProductCursor(text: string): ProductCursor | undefined {
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { o, d, v, k, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return undefined;
  if (!PRODUCT_ORDERINGS.includes(o as ProductOrdering) || (d !== 'a' && d !== 'b')) return undefined;
  if (!cleanText(k, MAX_ITEM_NO) || k.length === 0) return undefined;
  const ordering = o as ProductOrdering;
  const column = sortColumnOf(ordering);
  const direction = d === 'a' ? 'after' : 'before';
  if (column === 'item_no') return v === undefined ? { ordering, direction, key: { itemNo: k } } : undefined;
  const valid = column === 'title' ? cleanText(v, MAX_TITLE) : isMicrosecondUtc(v);
  return valid ? { ordering, direction, key: { value: v as string, itemNo: k } } : undefined;
}

/** A string PostgreSQL stores as text: no NUL, no lone surrogate, at most `max` characters. */
function cleanText(value: unknown, max: number): value is string {
  return typeof value === 'string' && [...value].length <= max && isStorableText(value);
}

/** A real UTC instant in the list's timestamp format (month 13 or Feb 30 would fail in the cast). */
function isMicrosecondUtc(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = MICROSECOND_UTC.exec(value);
  if (!match) return false;
  const time = Date.parse(`${match[1]}Z`);
  // Year 0000 parses in JavaScript but not in PostgreSQL.
  return (
    Number.isFinite(time) && !match[1].startsWith('0000') && new Date(time).toISOString().slice(0, 19) === match[1]
  );
}
