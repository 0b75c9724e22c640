import type { TString } from '@sinclair/typebox';
import { Checked, defineCheck, Text } from '@pjs/http';

/**
 * Text that must hold something besides blanks (item and order numbers): the schema refuses
 * `"   "` as it refuses `""`; the controller trims what it passes on.
 */
const NOT_BLANK = defineCheck('im.not-blank', {
  validate: (value) => typeof value !== 'string' || value.trim().length > 0,
  message: 'must not be empty',
});

export function NonBlankText(maxLength: number, options: { description?: string; example?: string } = {}): TString {
  return Checked(NOT_BLANK, Text(maxLength, { minLength: 1, ...options }));
}

/** An item number: up to 64 characters; a number sent instead is taken as its text. */
export const ItemNumber: TString = NonBlankText(64, {
  description: 'Item number (a number is taken as text)',
  example: 'ABC-001',
});

/** An order number as callers know it (what the stock routes call `order_id`). */
export const OrderNumber: TString = NonBlankText(100, {
  description: 'Order number (a number is taken as text)',
  example: '1234',
});
