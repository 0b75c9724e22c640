/**
 * Exact money arithmetic on integer cents (bigint): amounts arrive as strings or numbers, are
 * parsed without ever going through a float, and leave as strings with two decimals.
 */

export class MoneyFormatError extends Error {}

const DECIMAL = /^(\d{1,10})(?:[.,](\d+))?$/;

/**
 * Parses `12.50`, `12,5`, `12` or the number 12.5 into cents. At most two decimals (a third
 * non-zero decimal is refused rather than silently rounded); negatives are refused.
 */
export function parseCents(input: string | number): bigint {
  const text = typeof input === 'number' ? numberText(input) : input.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyFormatError('must be a decimal number such as 12.50');
  const [, whole, fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > 2) throw new MoneyFormatError('must have at most two decimal places');
  return BigInt(whole) * 100n + BigInt(significant.padEnd(2, '0'));
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new MoneyFormatError('must be a finite number');
  // String(12.5) === '12.5'; tiny or huge numbers use exponent notation, which DECIMAL refuses.
  return String(value);
}

/** `1250n` → `"12.50"`. */
export function formatCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = abs / 100n;
  const fraction = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** `value × percent / 100`, percent in hundredths (5.5 % = 550n), rounded half up to cents. */
export function percentOf(cents: bigint, percentHundredths: bigint): bigint {
  return (cents * percentHundredths + 5000n) / 10000n;
}

/** Parses a percentage such as `5`, `5.5` or `12,25` into hundredths of a percent (0–100 %). */
export function parsePercentHundredths(text: string): bigint {
  const hundredths = parseCents(text);
  if (hundredths > 10000n) throw new MoneyFormatError('must be at most 100%');
  return hundredths;
}
