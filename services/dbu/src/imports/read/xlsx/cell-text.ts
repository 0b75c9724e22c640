/** Where a cell's shared-string index leads (the `SharedStringStore` of the workbook). */
export interface SharedStrings {
  get(index: number): string;
}

export interface CellTextOptions {
  /** Numbers are written with this separator, so they read like the CSV text of the same sheet. */
  decimalSeparator: ',' | '.';
  strings: SharedStrings;
}

/** Day 0 of Excel's 1900 date system (1899-12-30, which absorbs Excel's phantom 29 Feb 1900). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;
const PLAIN_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/;
const ISO_DATE = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?/;

/**
 * A cell's text from its type (`t` attribute) and the text of its `<v>` (or of its inline string).
 * Formulas are read by their cached result, which carries the same types. Styles are not read, so a
 * date formatted as a date is still Excel's day number; an ISO date cell (`t="d"`) is turned into
 * that day number too, so every date reaches the importer the same way.
 */
export function cellText(type: string, raw: string, options: CellTextOptions): string {
  switch (type) {
    case 's':
      return options.strings.get(parseInt(raw, 10));
    case 'str':
    case 'inlineStr':
      return raw;
    case 'b':
      return Number(raw) ? 'TRUE' : 'FALSE';
    case 'e':
      return ''; // #N/A, #DIV/0! …: no value to import
    case 'd':
      return numberText(isoDateToDayNumber(raw) ?? raw, options.decimalSeparator);
    default:
      return numberText(raw, options.decimalSeparator);
  }
}

/** What exceljs made of a number (JavaScript's shortest form), with the profile's decimal separator. */
export function numberText(raw: string, decimalSeparator: ',' | '.'): string {
  let text = raw;
  if (!isShortestForm(raw)) {
    const value = parseFloat(raw);
    if (Number.isNaN(value)) return raw.trim();
    text = String(value);
  }
  return decimalSeparator === ',' ? text.replace('.', ',') : text;
}

/**
 * True when `String(parseFloat(raw))` would give `raw` back, which is what producers write for most
 * numbers: at most 15 significant digits (those survive the round trip through a double), no
 * leading or trailing zeros, no exponent. Skipping the round trip halves the cost of numeric cells.
 */
function isShortestForm(raw: string): boolean {
  const digits = raw.length - (raw.charCodeAt(0) === 45 /* - */ ? 1 : 0) - (raw.includes('.') ? 1 : 0);
  return digits <= 15 && PLAIN_NUMBER.test(raw) && raw !== '-0' && !raw.includes('0.000000'); // 1e-7 …
}

function isoDateToDayNumber(raw: string): string | undefined {
  const match = ISO_DATE.exec(raw);
  if (!match) return undefined;
  const [, year, month, day, hours = '0', minutes = '0', seconds = '0'] = match;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hours), Number(minutes), 0);
  return String((ms + Number(seconds) * 1000 - EXCEL_EPOCH_MS) / DAY_MS);
}
