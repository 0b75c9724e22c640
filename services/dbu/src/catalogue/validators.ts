import { ValidateBy, type ValidationOptions } from 'class-validator';
import { parseDecimal, type DecimalRule } from './decimal';
import { parseDiscount } from './discount';
import { isValidEan } from './ean';

/** class-validator decorators for catalogue values; messages name the rule, the pipe names the field. */

export const IsGtin = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isGtin',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isValidEan(value.trim()),
        defaultMessage: () => 'must be an EAN/GTIN of 8, 12, 13 or 14 digits with a valid check digit',
      },
    },
    options,
  );

export const IsDecimalValue = (rule: DecimalRule, options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isDecimalValue',
      validator: {
        validate: (value: unknown) => parseDecimal(value, rule).ok,
        defaultMessage: (args) => {
          const result = parseDecimal(args?.value, rule);
          return result.ok ? 'is invalid' : result.reason;
        },
      },
    },
    options,
  );

export const IsDiscountValue = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isDiscountValue',
      validator: {
        validate: (value: unknown) => parseDiscount(value).ok,
        defaultMessage: (args) => {
          const result = parseDiscount(args?.value);
          return result.ok ? 'is invalid' : `${result.reason} (use "5%" or "2.50")`;
        },
      },
    },
    options,
  );

/** `YYYY-MM-DD` naming a real calendar day. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

export const IsCalendarDate = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isCalendarDate',
      validator: { validate: isCalendarDate, defaultMessage: () => 'must be a date as YYYY-MM-DD' },
    },
    options,
  );

/** A category id (positive integer) or its path / external id. */
export const IsCategoryRef = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isCategoryRef',
      validator: {
        validate: (value: unknown) =>
          (typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1e9) ||
          (typeof value === 'string' && value.trim().length > 0 && value.length <= 1000),
        defaultMessage: () => 'must be a category id, path or external id',
      },
    },
    options,
  );

/** What an item number may look like: 1–64 printable characters, no slash, no outer blanks. */
export const ITEM_NO_PATTERN = /^(?=.{1,64}$)[^\s/?#%\\\p{Cc}](?:[^/?#%\\\p{Cc}]*[^\s/?#%\\\p{Cc}])?$/u;

export function isItemNumber(value: unknown): value is string {
  return typeof value === 'string' && ITEM_NO_PATTERN.test(value);
}

export const IsItemNumber = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isItemNumber',
      validator: {
        validate: isItemNumber,
        defaultMessage: () =>
          'must be 1-64 characters without slash, ?, #, %, backslash, control characters or outer blanks',
      },
    },
    options,
  );

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

/** A comma-separated batch of up to 500 item numbers. */
export const IsItemNumberList = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isItemNumberList',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const items = splitItemNumbers(value);
          return items.length > 0 && items.length <= MAX_BATCH_ITEMS && items.every((i) => i.length <= 64);
        },
        defaultMessage: () => `must list 1-${MAX_BATCH_ITEMS} comma-separated item numbers of at most 64 characters`,
      },
    },
    options,
  );
