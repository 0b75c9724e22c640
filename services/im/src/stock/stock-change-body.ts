import { MAX_STOCK_AMOUNT } from './dto/stock-change.dto';

/** The fields of StockChangeDto the controller passes on, as the ValidationPipe delivers them. */
export interface PlainStockChange {
  item_no: string;
  amount: number;
  /** Absent and null mean the same to StockService; both arrive here as undefined. */
  order_id?: string;
  reason?: string;
}

const DIGITS = /^\s*\d+\s*$/;

/**
 * The body of `POST /api/add-stock/` and `/api/reduce-stock/` when it is plainly valid, with the
 * values StockChangeDto and the global ValidationPipe make of it (numbers as strings, trimmed
 * item and order numbers, unknown keys dropped); undefined for anything else.
 *
 * Conservative by design: it may refuse a body the pipe accepts (Express then answers it), never
 * accept one the pipe refuses. MaxLength counts a surrogate pair as one character, so a string
 * within our `.length` limit is always within the pipe's. The spec checks both against each other.
 */
export function plainStockChange(body: unknown): PlainStockChange | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  const itemNo = requiredText(fields.item_no, 64);
  const amount = wholeAmount(fields.amount);
  if (itemNo === undefined || amount === undefined) return undefined;
  const change: PlainStockChange = { item_no: itemNo, amount };
  const { order_id: orderId, reason } = fields;
  if (orderId !== undefined && orderId !== null) {
    const value = requiredText(orderId, 100);
    if (value === undefined) return undefined;
    change.order_id = value;
  }
  if (reason !== undefined && reason !== null) {
    if (typeof reason !== 'string' || reason.length > 500) return undefined;
    change.reason = reason;
  }
  return change;
}

/** `stringFromNumber` + IsString + IsNotEmpty + MaxLength(max). */
function requiredText(value: unknown, max: number): string | undefined {
  const text =
    typeof value === 'number' && Number.isSafeInteger(value)
      ? String(value)
      : typeof value === 'string'
        ? value.trim()
        : undefined;
  return text && text.length <= max ? text : undefined;
}

/** `numberFromString` + IsInt + Min(1) + Max(MAX_STOCK_AMOUNT). */
function wholeAmount(value: unknown): number | undefined {
  const n = typeof value === 'string' && DIGITS.test(value) ? Number.parseInt(value, 10) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_STOCK_AMOUNT ? n : undefined;
}
