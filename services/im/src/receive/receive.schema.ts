import { z } from 'zod';
import type { FieldError } from '@pjs/http';
import { MoneyFormatError, parseCents, parsePercentHundredths, percentOf } from '../orders/money';

/**
 * The `/api/receive/` body and the `im.order.received` message data (the same contract as
 * `orderReceivedSchema` in @pjs/contracts, stricter where the database needs it). Numbers may
 * arrive as strings; a discount is either a percentage (`"5%"`) or an amount in EUR taken off the
 * whole line (`"1.50"`). Parsing yields exact integer cents, never floats.
 */

export const MAX_ORDER_LINES = 1000;
const MAX_QUANTITY = 1_000_000;

export interface ReceiveLine {
  lineNo: number;
  itemNo: string;
  title: string;
  priceCents: bigint;
  quantity: number;
  uom: string;
  /** The line total as sent by the supplier (price × quantity when not sent). */
  totalCents: bigint;
  /** Hundredths of a percent when the discount was given as a percentage. */
  discountPercentHundredths: bigint | null;
  /** The discount in cents taken off the whole line (computed from the percentage if needed). */
  discountCents: bigint;
}

export interface ReceiveOrder {
  orderNumber: string;
  supplier: string | null;
  lines: ReceiveLine[];
}

type Ctx = z.RefinementCtx;

function fail(ctx: Ctx, message: string): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function text(max: number, opts: { required?: boolean; fallback?: string } = {}) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): string => {
      if (isBlank(value)) return opts.required ? fail(ctx, 'is required') : (opts.fallback ?? '');
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) value = String(value);
      if (typeof value !== 'string') return fail(ctx, 'must be a string');
      const trimmed = value.trim();
      if (trimmed.length > max) return fail(ctx, `must be at most ${max} characters`);
      return trimmed;
    });
}

function money(opts: { required: boolean }) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): bigint | undefined => {
      if (isBlank(value)) return opts.required ? fail(ctx, 'is required') : undefined;
      if (typeof value !== 'string' && typeof value !== 'number')
        return fail(ctx, 'must be a decimal number such as 12.50');
      try {
        return parseCents(value);
      } catch (err) {
        if (err instanceof MoneyFormatError) return fail(ctx, err.message);
        throw err;
      }
    });
}

const quantity = z
  .unknown()
  .optional()
  .transform((value, ctx): number => {
    if (isBlank(value)) return fail(ctx, 'is required');
    const textValue = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : null;
    if (textValue === null || !/^\d+(\.0+)?$/.test(textValue)) return fail(ctx, 'must be a whole number');
    const n = Number.parseInt(textValue, 10);
    if (n < 1) return fail(ctx, 'must be at least 1');
    if (n > MAX_QUANTITY) return fail(ctx, `must be at most ${MAX_QUANTITY}`);
    return n;
  });

type Discount = { percentHundredths: bigint } | { cents: bigint } | null;

const discount = z
  .unknown()
  .optional()
  .transform((value, ctx): Discount => {
    if (isBlank(value)) return null;
    if (typeof value !== 'string' && typeof value !== 'number') {
      return fail(ctx, 'must be a percentage such as "5%" or an amount such as "1.50"');
    }
    try {
      if (typeof value === 'string' && value.trim().endsWith('%')) {
        return { percentHundredths: parsePercentHundredths(value.trim().slice(0, -1).trim()) };
      }
      return { cents: parseCents(value) };
    } catch (err) {
      if (err instanceof MoneyFormatError) return fail(ctx, err.message);
      throw err;
    }
  });

const lineSchema = z
  .object({
    item_no: text(64, { required: true }),
    title: text(500),
    price: money({ required: true }),
    discount,
    quantity,
    uom: text(20, { fallback: 'stk' }),
    total: money({ required: false }),
  })
  .transform((line, ctx) => {
    const gross = line.price! * BigInt(line.quantity);
    let discountCents = 0n;
    let percent: bigint | null = null;
    if (line.discount && 'percentHundredths' in line.discount) {
      percent = line.discount.percentHundredths;
      discountCents = percentOf(gross, percent);
    } else if (line.discount) {
      discountCents = line.discount.cents;
      if (discountCents > gross) {
        ctx.addIssue({ code: 'custom', path: ['discount'], message: 'must not exceed price × quantity' });
        return z.NEVER;
      }
    }
    if (gross >= 10n ** 12n) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: 'price × quantity is too large' });
      return z.NEVER;
    }
    return {
      itemNo: line.item_no,
      title: line.title,
      priceCents: line.price!,
      quantity: line.quantity,
      uom: line.uom,
      totalCents: line.total ?? gross,
      discountPercentHundredths: percent,
      discountCents,
    };
  });

/** zod schema shared by `POST /api/receive/` and the `im.order.received` consumer. */
export const receivePayloadSchema = z
  .object(
    {
      order_number: text(100, { required: true }),
      supplier: text(200),
      items: z
        .array(lineSchema, {
          error: (issue) => (issue.input === undefined ? 'is required' : 'must be a list of order lines'),
        })
        .min(1, { error: 'must contain at least one line' })
        .max(MAX_ORDER_LINES, { error: `must contain at most ${MAX_ORDER_LINES} lines` }),
    },
    { error: 'must be a JSON object' },
  )
  .transform((body): ReceiveOrder => ({
    orderNumber: body.order_number,
    supplier: body.supplier || null,
    lines: body.items.map((line, i) => ({ lineNo: i + 1, ...line })),
  }));

/** An order that failed validation; each error names its field (`items.0.quantity`). */
export class OrderValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'OrderValidationError';
  }
}

/** Validates and normalises a receive payload, or throws OrderValidationError. */
export function parseReceivePayload(payload: unknown): ReceiveOrder {
  const result = receivePayloadSchema.safeParse(payload);
  if (result.success) return result.data;
  throw new OrderValidationError(
    result.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.map(String).join('.') : 'body',
      message: issue.message,
    })),
  );
}
