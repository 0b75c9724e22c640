import { Type, type Static } from '@sinclair/typebox';
import {
  Checked,
  compileBodySchema,
  defineCheck,
  fieldErrors,
  Int,
  Nullable,
  Obj,
  Text,
  type FieldError,
} from '@pjs/http';
import { ItemNumber, OrderNumber } from '../common/text.schema';
import { MoneyFormatError, parseCents, parsePercentHundredths, percentOf } from '../orders/money';
import type { ReceiveLine, ReceiveOrder } from '../orders/order.types';

/**
 * The `/api/receive/` body and the `im.order.received` message data (the contract of
 * `orderReceivedSchema` in @pjs/contracts, stricter where the database needs it): one schema,
 * compiled by the route for HTTP and by parseReceivePayload for messages and files. Numbers may
 * arrive as strings and texts as numbers; a discount is a percentage (`"5%"`) or an amount in EUR
 * taken off the whole line (`"1.50"`). toReceiveOrder then applies what a schema cannot say
 * (the discount against the line, sizes of products) and yields exact integer cents, never floats.
 */

export const MAX_ORDER_LINES = 1000;
const MAX_QUANTITY = 1_000_000;
/** Cents of price × quantity must stay below 10^12 (numeric(12,2) columns). */
const MAX_LINE_CENTS = 10n ** 12n;

const isBlank = (value: unknown): boolean => typeof value === 'string' && value.trim() === '';

function parses(parse: (text: string) => unknown, value: unknown): boolean {
  if (typeof value !== 'string') return true; // the type is the schema's business
  try {
    parse(value);
    return true;
  } catch (err) {
    if (err instanceof MoneyFormatError) return false;
    throw err;
  }
}

const MONEY = defineCheck('im.money', {
  validate: (value) => !isBlank(value) && parses(parseCents, value),
  message: 'must be a decimal number such as 12.50 (at most two decimals)',
});
const MONEY_OR_BLANK = defineCheck('im.money-or-blank', {
  validate: (value) => isBlank(value) || parses(parseCents, value),
  message: 'must be a decimal number such as 12.50 (at most two decimals)',
});
const DISCOUNT = defineCheck('im.discount', {
  validate: (value) => isBlank(value) || parses(parseDiscount, value),
  message: 'must be a percentage such as "5%" (at most 100%) or an amount such as "1.50"',
});

const moneyText = (description: string) =>
  Type.String({ maxLength: 32, description: `${description}; "12.50", "12,5" or a JSON number`, example: '12.50' });

const LineSchema = Obj(
  {
    item_no: ItemNumber,
    title: Type.Optional(Nullable(Text(500, { example: 'Widget' }))),
    price: Checked(MONEY, moneyText('Unit price in EUR')),
    discount: Type.Optional(
      Nullable(
        Checked(
          DISCOUNT,
          Type.String({ maxLength: 32, description: '"5%" of price × quantity, or EUR off the line', example: '5%' }),
        ),
      ),
    ),
    quantity: Int(1, MAX_QUANTITY, { description: 'A whole number; may be sent as a string' }),
    uom: Type.Optional(Nullable(Text(20, { description: 'Unit of measure (default stk)', example: 'stk' }))),
    total: Type.Optional(Nullable(Checked(MONEY_OR_BLANK, moneyText('Line total as sent (default price × quantity)')))),
  },
  { title: 'OrderLineIn' },
);

export const ReceiveBodySchema = Obj(
  {
    order_number: OrderNumber,
    supplier: Type.Optional(Nullable(Text(200))),
    items: Type.Array(LineSchema, {
      minItems: 1,
      maxItems: MAX_ORDER_LINES,
      description: `1 to ${MAX_ORDER_LINES} order lines`,
      errorMessage: `must be a list of 1 to ${MAX_ORDER_LINES} order lines`,
    }),
  },
  {
    title: 'ReceiveOrder',
    example: {
      order_number: '1234',
      items: [
        {
          item_no: 'ABC-001',
          title: 'Widget',
          price: '12.50',
          discount: '5%',
          quantity: 2,
          uom: 'stk',
          total: '25.00',
        },
      ],
    },
  },
);
export type ReceiveBody = Static<typeof ReceiveBodySchema>;

/** An order that failed validation; each error names its field (`items.0.quantity`). */
export class OrderValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'OrderValidationError';
  }
}

let validateBody: ReturnType<typeof compileBodySchema<ReceiveBody>> | undefined;

/** Validates and normalises an order that did not come through the route (a message, a file). */
export function parseReceivePayload(payload: unknown): ReceiveOrder {
  validateBody ??= compileBodySchema<ReceiveBody>(ReceiveBodySchema);
  if (!validateBody(payload)) throw new OrderValidationError(fieldErrors(validateBody.errors ?? [], 'body'));
  return toReceiveOrder(payload);
}

type Discount = { percentHundredths: bigint } | { cents: bigint } | null;

function parseDiscount(text: string): Discount {
  const value = text.trim();
  if (value === '') return null;
  if (value.endsWith('%')) return { percentHundredths: parsePercentHundredths(value.slice(0, -1).trim()) };
  return { cents: parseCents(value) };
}

const text = (value: string | null | undefined): string => value?.trim() ?? '';

/** A body the schema accepted → the order to store; throws OrderValidationError for the rules left. */
export function toReceiveOrder(body: ReceiveBody): ReceiveOrder {
  const errors: FieldError[] = [];
  const lines = body.items.map((line, i): ReceiveLine => {
    const priceCents = parseCents(line.price);
    const gross = priceCents * BigInt(line.quantity);
    const discount = line.discount ? parseDiscount(line.discount) : null;
    let discountCents = 0n;
    let percent: bigint | null = null;
    if (discount && 'percentHundredths' in discount) {
      percent = discount.percentHundredths;
      discountCents = percentOf(gross, percent);
    } else if (discount) {
      discountCents = discount.cents;
      if (discountCents > gross)
        errors.push({ field: `items.${i}.discount`, message: 'must not exceed price × quantity' });
    }
    if (gross >= MAX_LINE_CENTS) errors.push({ field: `items.${i}.price`, message: 'price × quantity is too large' });
    return {
      lineNo: i + 1,
      itemNo: line.item_no.trim(),
      title: text(line.title),
      priceCents,
      quantity: line.quantity,
      uom: text(line.uom) || 'stk',
      totalCents: line.total && !isBlank(line.total) ? parseCents(line.total) : gross,
      discountPercentHundredths: percent,
      discountCents,
    };
  });
  if (errors.length) throw new OrderValidationError(errors);
  return { orderNumber: body.order_number.trim(), supplier: text(body.supplier) || null, lines };
}
