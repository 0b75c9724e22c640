/**
 * Exact decimals as strings (never JS floats): parsing user input into the canonical text
 * PostgreSQL `numeric` accepts, and formatting stored values for the API.
 */

export interface DecimalRule {
  /** Digits allowed after the separator. */
  scale: number;
  /** Digits allowed before it (numeric(precision, scale) → precision - scale). */
  integerDigits: number;
}

export const MONEY: DecimalRule = { scale: 2, integerDigits: 10 };
export const WEIGHT: DecimalRule = { scale: 3, integerDigits: 7 };
export const PERCENT: DecimalRule = { scale: 2, integerDigits: 3 };

export type DecimalResult = { ok: true; value: string } | { ok: false; reason: string };

const DECIMAL = /^(\d+)(?:[.,](\d+))?$/;

/**
 * Reads a non-negative decimal from `"12.5"`, `"12,50"` or a JSON number and answers it padded to
 * the rule's scale (`"12.50"`). More decimals than the scale are refused rather than rounded.
 */
export function parseDecimal(input: unknown, rule: DecimalRule): DecimalResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: 'must be a finite number' };
    text = String(input);
  } else if (typeof input === 'string') {
    text = input.trim();
  } else {
    return { ok: false, reason: 'must be a decimal number as string or number' };
  }
  if (text.startsWith('-')) return { ok: false, reason: 'must not be negative' };
  const match = DECIMAL.exec(text);
  if (!match) return { ok: false, reason: 'must be a decimal number like 12.50' };
  const integer = match[1].replace(/^0+(?=\d)/, '');
  const fraction = match[2] ?? '';
  if (fraction.length > rule.scale) return { ok: false, reason: `must have at most ${rule.scale} decimal places` };
  if (integer.length > rule.integerDigits) return { ok: false, reason: 'is too large' };
  return { ok: true, value: `${integer}.${fraction.padEnd(rule.scale, '0')}` };
}

/** Formats a stored numeric text (`"12.5"`, `"12.500"`, `"7"`) with exactly `scale` decimals. */
export function formatDecimal(value: string | null | undefined, scale = 2): string | null {
  if (value === null || value === undefined || value === '') return null;
  const negative = value.startsWith('-');
  const [integer, fraction = ''] = (negative ? value.slice(1) : value).split('.');
  let digits = fraction.padEnd(scale, '0');
  if (digits.length > scale) {
    // Values written outside our columns' scale: round half up on the decimal string.
    const kept = `${integer}${digits.slice(0, scale)}`;
    const roundUp = digits.charCodeAt(scale) >= 53;
    const rounded = roundUp ? incrementDigits(kept) : kept;
    const cut = rounded.length - scale;
    return `${negative ? '-' : ''}${rounded.slice(0, cut) || '0'}${scale ? `.${rounded.slice(cut)}` : ''}`;
  }
  digits = digits.slice(0, scale);
  return `${negative ? '-' : ''}${integer || '0'}${scale ? `.${digits}` : ''}`;
}

function incrementDigits(digits: string): string {
  const chars = digits.split('');
  for (let i = chars.length - 1; i >= 0; i -= 1) {
    if (chars[i] === '9') {
      chars[i] = '0';
    } else {
      chars[i] = String.fromCharCode(chars[i].charCodeAt(0) + 1);
      return chars.join('');
    }
  }
  return `1${chars.join('')}`;
}

/** Compares with 0 on the decimal text (`"0.00"` → true). */
export function isZeroDecimal(value: string): boolean {
  return /^0*(\.0*)?$/.test(value);
}
