import { defineCheck } from '@pjs/http';
import { MONEY, WEIGHT, parseDecimal } from './decimal';
import { parseDiscount } from './discount';
import { isValidEan } from './ean';

/**
 * The catalogue's value rules that a JSON Schema cannot say by itself, as named checks the
 * request schemas refer to (`Checked(GTIN, …)`), plus the plain functions behind them. Each
 * message names the rule; the validation answer puts the field in front of it.
 */

/** `YYYY-MM-DD` naming a real calendar day. */
export function isCalendarDate(value: unknown): value is string {
  // Year 0000 is a JavaScript date but not a PostgreSQL one (ISO input has no year 0).
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || value.startsWith('0000')) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** What an item number may look like: 1–64 printable characters, no slash, no outer blanks. */
export const ITEM_NO_PATTERN = /^(?=.{1,64}$)[^\s/?#%\\\p{Cc}](?:[^/?#%\\\p{Cc}]*[^\s/?#%\\\p{Cc}])?$/u;

export function isItemNumber(value: unknown): value is string {
  return typeof value === 'string' && ITEM_NO_PATTERN.test(value);
}

export const MAX_BATCH_ITEMS = 500;

/** Splits `a,b,c` into item numbers (blank entries dropped, duplicates kept once). */
export function splitItemNumbers(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** An ISO-8601 date (`2024-05-01`) or timestamp with seconds and an offset, as a filter takes it. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The instants a timestamp filter may name: years 1 to 9999 in UTC, which `toISOString` writes as PostgreSQL reads. */
const EARLIEST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const LATEST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

export function isIsoTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_8601.test(value.trim()) || !isCalendarDate(value.trim().slice(0, 10))) {
    return false;
  }
  // An offset may carry 0001-01-01 into year 0, or 9999-12-31 into year 10000 (`+010000-…`).
  const instant = Date.parse(value.trim());
  return instant >= EARLIEST_INSTANT && instant <= LATEST_INSTANT;
}

const decimalCheck = (value: unknown, rule: typeof MONEY): boolean => value === null || parseDecimal(value, rule).ok;

/** EAN-8 / UPC-A / EAN-13 / GTIN-14 with a correct check digit (blanks around it allowed). */
export const GTIN = defineCheck('dbu.gtin', {
  validate: (value) => value === null || (typeof value === 'string' && isValidEan(value.trim())),
  message: 'must be an EAN/GTIN of 8, 12, 13 or 14 digits with a valid check digit',
});

export const MONEY_VALUE = defineCheck('dbu.money', {
  validate: (value) => decimalCheck(value, MONEY),
  message: 'must be an amount like 12.50: not negative, at most 2 decimal places and 10 digits before them',
});

export const WEIGHT_VALUE = defineCheck('dbu.weight', {
  validate: (value) => decimalCheck(value, WEIGHT),
  message: 'must be a weight in kg like 0.250: not negative, at most 3 decimal places and 7 digits before them',
});

export const DISCOUNT_VALUE = defineCheck('dbu.discount', {
  validate: (value) => value === null || parseDiscount(value).ok,
  message: 'must be a percentage up to 100 like "5%" or an amount like "2.50"',
});

export const CALENDAR_DATE = defineCheck('dbu.calendar-date', {
  validate: (value) => value === null || isCalendarDate(value),
  message: 'must be a date as YYYY-MM-DD',
});

/** An id (positive whole number) or a path / external id; null clears it. */
export const CATEGORY_REF = defineCheck('dbu.category-ref', {
  validate: (value) =>
    value === null ||
    (typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1e9) ||
    (typeof value === 'string' && value.trim().length > 0 && value.length <= 1000),
  message: 'must be a category id, path or external id',
});

export const ITEM_NUMBER = defineCheck('dbu.item-no', {
  validate: isItemNumber,
  message: 'must be 1-64 characters without slash, ?, #, %, backslash, control characters or outer blanks',
});

export const ITEM_NUMBER_LIST = defineCheck('dbu.item-no-list', {
  validate: (value) => {
    if (typeof value !== 'string') return false;
    const items = splitItemNumbers(value);
    return items.length > 0 && items.length <= MAX_BATCH_ITEMS && items.every((i) => i.length <= 64);
  },
  message: `must list 1-${MAX_BATCH_ITEMS} comma-separated item numbers of at most 64 characters`,
});

export const ISO_TIMESTAMP = defineCheck('dbu.iso-8601', {
  validate: isIsoTimestamp,
  message: 'must be an ISO-8601 date or timestamp',
});

/**
 * An http(s) URL with a host and no user name or password, as product images are fetched from it
 * (whether its address is public is judged when it is fetched: DNS answers change).
 */
export const HTTP_URL = defineCheck('dbu.http-url', {
  validate: (value) => {
    if (value === null) return true;
    if (typeof value !== 'string') return false;
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        url.hostname.length > 0 &&
        !url.username &&
        !url.password
      );
    } catch {
      return false;
    }
  },
  message: 'must be an http(s) URL without a user name or password',
});
