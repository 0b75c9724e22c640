export { isValidEan, normalizeEan } from './ean';
export { MONEY, PERCENT, WEIGHT, formatDecimal, isZeroDecimal, parseDecimal } from './decimal';
export type { DecimalResult, DecimalRule } from './decimal';
export { discountColumns, parseDiscount } from './discount';
export type { Discount, DiscountResult } from './discount';
export { cleanName, nameKey } from './name-key';
export { EU_COUNTRIES, isEuCountry } from './gpsr';
