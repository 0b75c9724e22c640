import { parseDecimal, type DecimalRule } from '../../catalogue/decimal';
import { isValidEan } from '../../catalogue/ean';
import { CATEGORY_SEPARATOR } from '../../catalogue/category-path';
import { isItemNumber } from '../../catalogue/validators';
import type { DateFormat, DecimalSeparator } from '../../import-profiles/profile-settings';

/**
 * Readers of one spreadsheet cell each: they answer the canonical text stored in PostgreSQL
 * (`12.50`, `2025-03-01`) or the reason the value is refused, in words an editor understands.
 */
export type FieldResult = { ok: true; value: string | null } | { ok: false; reason: string };

const ok = (value: string | null): FieldResult => ({ ok: true, value });
const fail = (reason: string): FieldResult => ({ ok: false, reason });

// Control characters PostgreSQL text cannot hold (NUL) or nobody wants in a catalogue.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const BLANKS = /\s+/g;

// Text that needs more than trimming: control characters, line breaks, tabs or double blanks.
// eslint-disable-next-line no-control-regex
const UNTIDY_LINE = /[\u0000-\u001F\u007F\u00A0]| {2}/;

/** Single-line text: blanks collapsed (a line break in a title becomes a space). */
export function parseLine(raw: string, maxLength: number): FieldResult {
  const value = UNTIDY_LINE.test(raw) ? raw.replace(CONTROL, '').replace(BLANKS, ' ').trim() : raw.trim();
  if (!value) return ok(null);
  if (value.length > maxLength) return fail(`is longer than ${maxLength} characters`);
  return ok(value);
}

/** Multi-line text: line ends normalised to LF, outer blanks removed. */
// eslint-disable-next-line no-control-regex
const UNTIDY_TEXT = /[\u0000-\u0008\u000B-\u001F\u007F]/;

export function parseText(raw: string, maxLength = 100_000): FieldResult {
  const value = UNTIDY_TEXT.test(raw) ? raw.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim() : raw.trim();
  if (!value) return ok(null);
  if (value.length > maxLength) return fail(`is longer than ${maxLength} characters`);
  return ok(value);
}

export function parseItemNo(raw: string): FieldResult {
  const value = raw.trim();
  if (!value) return fail('item number is missing');
  if (!isItemNumber(value)) {
    return fail('must be 1-64 characters without slash, ?, #, %, backslash or control characters');
  }
  return ok(value);
}

const CURRENCY = /^(?:€|EUR)\s*|\s*(?:€|EUR)$/gi;
const PLAIN_COMMA = /^(\d+)(?:,(\d+))?$/;
const PLAIN_DOT = /^(\d+)(?:\.(\d+))?$/;
const LEADING_ZEROS = /^0+(?=\d)/;
const GROUPED_COMMA = /^\d{1,3}(?:\.\d{3})+(?:,\d+)?$/;
const GROUPED_DOT = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/**
 * A decimal written with the profile's separator: `1.234,50` / `12,5` with a decimal comma,
 * `1,234.50` / `12.5` with a decimal point. A currency sign and blanks between digit groups are
 * allowed; more decimals than the column holds are refused, never rounded.
 */
export function parseSourceDecimal(raw: string, separator: DecimalSeparator, rule: DecimalRule): FieldResult {
  let text = raw.trim();
  if (!text) return ok(null);
  // Fast path for the common plain form (`33,63`, `7`).
  const plain = (separator === ',' ? PLAIN_COMMA : PLAIN_DOT).exec(text);
  if (plain) {
    const integer = plain[1].replace(LEADING_ZEROS, '');
    const fraction = plain[2] ?? '';
    if (fraction.length <= rule.scale && integer.length <= rule.integerDigits) {
      return ok(`${integer}.${fraction.padEnd(rule.scale, '0')}`);
    }
  }
  text = text.replace(CURRENCY, '').replace(/[\s\u00A0\u202F]/g, '');
  const other = separator === ',' ? '.' : ',';
  if (text.includes(other)) {
    if (!(separator === ',' ? GROUPED_COMMA : GROUPED_DOT).test(text)) {
      return fail(
        `is not a number with the decimal ${separator === ',' ? 'comma' : 'point'} (like ${example(separator)})`,
      );
    }
    text = text.split(other).join('');
  }
  if (text.startsWith('-')) return fail('must not be negative');
  if (!/^\d+(?:[.,]\d+)?$/.test(text)) return fail(`is not a number (like ${example(separator)})`);
  const parsed = parseDecimal(separator === ',' ? text.replace(',', '.') : text, rule);
  return parsed.ok ? ok(parsed.value) : fail(parsed.reason);
}

function example(separator: DecimalSeparator): string {
  return separator === ',' ? '1.234,50' : '1,234.50';
}

const DATE_PATTERNS: Record<DateFormat, { re: RegExp; order: 'dmy' | 'ymd' | 'mdy' }> = {
  'DD.MM.YYYY': { re: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: 'dmy' },
  'YYYY-MM-DD': { re: /^(\d{4})-(\d{1,2})-(\d{1,2})$/, order: 'ymd' },
  'DD/MM/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'dmy' },
  'MM/DD/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'mdy' },
};
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

// Excel serial day numbers of 1950-01-01 and 2200-12-31: a number outside is no catalogue date
// (e.g. a bare year 2025 in a date column), so it is refused rather than misread.
const SERIAL_MIN = 18_264;
const SERIAL_MAX = 109_574;
const EXCEL_SERIAL = /^\d+(?:[.,]\d+)?$/;

/**
 * A date in the profile's format (ISO `YYYY-MM-DD` is always understood) → `YYYY-MM-DD`. With
 * `excelSerials` (XLSX cells, read without their number formats) a plain number is an Excel day
 * number (1900 date system).
 */
export function parseSourceDate(raw: string, format: DateFormat, excelSerials = false): FieldResult {
  const text = raw.trim();
  if (!text) return ok(null);
  if (excelSerials && EXCEL_SERIAL.test(text)) {
    const serial = Math.floor(Number(text.replace(',', '.')));
    if (serial < SERIAL_MIN || serial > SERIAL_MAX) return fail('is a number, not a date between 1950 and 2200');
    return ok(new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10));
  }
  let y: number;
  let m: number;
  let d: number;
  const iso = ISO_DATE.exec(text);
  const pattern = DATE_PATTERNS[format];
  const match = iso ? null : pattern.re.exec(text);
  if (iso) {
    [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (match) {
    const [a, b, c] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (pattern.order === 'dmy') [d, m, y] = [a, b, c];
    else if (pattern.order === 'mdy') [m, d, y] = [a, b, c];
    else [y, m, d] = [a, b, c];
  } else {
    return fail(`is not a date in the format ${format}`);
  }
  if (y < 1900 || y > 2200) return fail('has a year outside 1900-2200');
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return fail('is not a calendar date');
  return ok(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** An EAN-8 / UPC-A / EAN-13 / GTIN-14 with a correct check digit (blanks inside removed). */
export function parseEan(raw: string): FieldResult {
  const text = raw.trim();
  if (!text) return ok(null);
  if (/^\d+(?:[.,]\d+)?[eE]\+?\d+$/.test(text)) {
    return fail('was turned into a number in scientific notation (format the column as text)');
  }
  const code = text.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(code)) return fail('must contain digits only');
  if (![8, 12, 13, 14].includes(code.length)) return fail('must have 8, 12, 13 or 14 digits');
  if (!isValidEan(code)) return fail('has a wrong check digit');
  return ok(code);
}

// A plain http(s) URL with an ASCII host: accepted without the (slower) WHATWG parser.
const SIMPLE_URL = /^https?:\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?(?:[/?#][\x21-\x7E]*)?$/;

export function parseUrl(raw: string, maxLength = 1000): FieldResult {
  const text = raw.trim();
  if (!text) return ok(null);
  if (text.length > maxLength) return fail(`is longer than ${maxLength} characters`);
  if (SIMPLE_URL.test(text)) return ok(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail('must be an http or https URL');
  if (url.username || url.password) return fail('must not carry a user name or password');
  return ok(text);
}

/** Category paths: `Figuren > Vinyl` (also `»` or `|` between levels) → `Figuren > Vinyl`. */
export function parseCategoryPath(raw: string): FieldResult {
  const text = raw.replace(CONTROL, '').trim();
  if (!text) return ok(null);
  const parts = text
    .split(/[>»|]/)
    .map((p) => p.replace(BLANKS, ' ').trim())
    .filter(Boolean);
  if (parts.length === 0) return ok(null);
  if (parts.some((p) => p.length > 200)) return fail('has a level longer than 200 characters');
  const path = parts.join(CATEGORY_SEPARATOR);
  if (path.length > 1000) return fail('is longer than 1000 characters');
  return ok(path);
}
