import { MONEY, PERCENT, parseDecimal } from './decimal';

/** A product discount: a percentage of the price or a fixed amount in EUR. */
export type Discount = { type: 'percent'; value: string } | { type: 'amount'; value: string };

export type DiscountResult = { ok: true; discount: Discount } | { ok: false; reason: string };

const PERCENT_FORM = /^(.*?)\s*%$/;
const AMOUNT_FORM = /^(?:€\s*)?(.*?)\s*(?:€|EUR)?$/i;

/**
 * Reads the discount notation of supplier e-mails: `"5%"` / `"5,5 %"` is a percentage (0–100),
 * `"2.50"` / `"2,50 €"` or a JSON number is an amount in EUR.
 */
export function parseDiscount(input: unknown): DiscountResult {
  if (input === null || input === undefined || input === '') return { ok: false, reason: 'discount is missing' };
  if (typeof input === 'string') {
    const text = input.trim();
    const percent = PERCENT_FORM.exec(text);
    if (percent) {
      const parsed = parseDecimal(percent[1], PERCENT);
      if (!parsed.ok) return { ok: false, reason: `discount percentage ${parsed.reason}` };
      if (Number(parsed.value) > 100) return { ok: false, reason: 'discount percentage must be at most 100' };
      return { ok: true, discount: { type: 'percent', value: parsed.value } };
    }
    const amount = AMOUNT_FORM.exec(text);
    const parsed = parseDecimal(amount?.[1] ?? text, MONEY);
    if (!parsed.ok) return { ok: false, reason: `discount amount ${parsed.reason}` };
    return { ok: true, discount: { type: 'amount', value: parsed.value } };
  }
  if (typeof input === 'number') {
    const parsed = parseDecimal(input, MONEY);
    if (!parsed.ok) return { ok: false, reason: `discount amount ${parsed.reason}` };
    return { ok: true, discount: { type: 'amount', value: parsed.value } };
  }
  return { ok: false, reason: 'discount must be a string like "5%" or "2.50"' };
}

/** The two discount columns of `products` for a discount (one of them is always null). */
export function discountColumns(discount: Discount | null): { percent: string | null; amount: string | null } {
  if (!discount) return { percent: null, amount: null };
  return discount.type === 'percent'
    ? { percent: discount.value, amount: null }
    : { percent: null, amount: discount.value };
}
