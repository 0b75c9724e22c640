import { Checked, Nullable, Obj, Type, defineCheck, type Static } from '@pjs/http';

export const MAX_EMAIL_ITEMS = 5000;

/** Order numbers: 1-100 characters (a JSON number is read as its digits). */
const ORDER_NUMBER = defineCheck('dbu.order-number', {
  validate: (value) => typeof value === 'string' && value.trim().length > 0 && value.trim().length <= 100,
  message: 'is required: 1-100 characters (or a whole number)',
});

/**
 * `POST /api/email-data/`: discounts parsed from a supplier's order e-mail. The rows are not
 * validated here: an invalid row is skipped and reported, never a reason to refuse the e-mail.
 */
export const EmailDataBodySchema = Obj(
  {
    order_number: Checked(
      ORDER_NUMBER,
      Type.String({ example: 'ORD-2024-0815', description: 'The order the discounts come from' }),
    ),
    items: Type.Array(
      Type.Unsafe<unknown>({
        description: '{"item_no": "ABC-001", "discount": "5%"}: discount "5%" (percent, 0-100) or "2.50" (EUR)',
        example: { item_no: 'ABC-001', discount: '5%' },
      }),
      {
        maxItems: MAX_EMAIL_ITEMS,
        description: `Up to ${MAX_EMAIL_ITEMS} rows; invalid rows are skipped (and reported), not rejected`,
      },
    ),
  },
  { title: 'EmailData' },
);
export type EmailDataBody = Static<typeof EmailDataBodySchema>;

export const EmailDataResult = Obj(
  {
    order_number: Type.String(),
    applied: Type.Integer({ description: 'Rows whose discount was set' }),
    skipped: Type.Integer({ description: 'Rows skipped: invalid, unknown item, or already applied for this order' }),
    skipped_rows: Type.Array(
      Obj({
        index: Type.Integer({ description: 'Position in items (from 0)' }),
        item_no: Nullable(Type.String()),
        reason: Type.String(),
      }),
    ),
  },
  { title: 'EmailDataResult' },
);
