import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from '@pjs/database';
import { formatCents } from '../orders/money';
import type { OrderSource, OrderView, ReceiveLine, ReceiveOrder } from '../orders/order.types';
import { OrdersRepository } from '../orders/orders.repository';
import { countMovements } from '../stock/stock.metrics';
import { StockRepository, type ReceivedItem } from '../stock/stock.repository';
import type { Actor } from '../stock/stock.types';
import { receiveMetrics } from './receive.metrics';
import { OrderValidationError, parseReceivePayload, toReceiveOrder, type ReceiveBody } from './receive.schema';

/** Who sent the order and how (HTTP caller, AMQP intake or the CLI). */
export interface ReceiveActor extends Actor {
  source: OrderSource;
}

export interface ReceiveResult {
  /** false when the order number already existed: nothing was changed. */
  created: boolean;
  order: OrderView;
}

/**
 * Receiving a supplier order: validates it (the same schema and rules for `POST /api/receive/`,
 * the `im.order.received` message and `pnpm im receive`), then in ONE transaction creates the order and its lines,
 * creates missing items, adds the quantities and books `receive` movements. The same order
 * number again (even concurrently) changes nothing and yields the existing order.
 */
@Injectable()
export class ReceiveService {
  constructor(
    private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly stock: StockRepository,
  ) {}

  /** An order from `POST /api/receive/`, its body already checked by the route's schema. */
  /** `tx`: the caller's transaction (the request's Idempotency-Key is stored in it). */
  receive(body: ReceiveBody, actor: ReceiveActor, tx?: EntityManager): Promise<ReceiveResult> {
    return this.store(() => toReceiveOrder(body), actor, tx);
  }

  /** An order from a message or a file: checked against the same schema first. */
  receivePayload(payload: unknown, actor: ReceiveActor): Promise<ReceiveResult> {
    return this.store(() => parseReceivePayload(payload), actor);
  }

  /** Throws OrderValidationError (naming the field) when the order breaks a rule. */
  private async store(parse: () => ReceiveOrder, actor: ReceiveActor, outer?: EntityManager): Promise<ReceiveResult> {
    let order: ReceiveOrder;
    try {
      order = parse();
    } catch (err) {
      if (err instanceof OrderValidationError) receiveMetrics.orders.inc({ source: actor.source, result: 'invalid' });
      throw err;
    }
    const booked = await (outer ?? this.db.manager).transaction(async (tx) => {
      const orderId = await this.orders.insertIfNew(tx, {
        orderNumber: order.orderNumber,
        supplier: order.supplier,
        source: actor.source,
        actor: actor.name,
      });
      if (orderId === null) return null;
      await this.orders.insertLines(tx, orderId, order.lines);
      return this.stock.receive(tx, mergeLinesByItem(order.lines), {
        orderId,
        actor,
        reason: `order ${order.orderNumber}`,
      });
    });
    if (booked) {
      countMovements('restore', booked.restored);
      countMovements('receive', booked.received);
    }
    receiveMetrics.orders.inc({ source: actor.source, result: booked ? 'created' : 'duplicate' });
    // Committed either by us or by the request that won the race on the unique order number.
    const existing = await this.orders.findByNumber(order.orderNumber, outer);
    if (!existing) throw new Error(`order ${order.orderNumber} vanished after it was received`);
    return { created: booked !== null, order: existing };
  }
}

/** One entry per item (quantities summed, the last line's price), sorted by item_no for lock order. */
export function mergeLinesByItem(lines: readonly ReceiveLine[]): ReceivedItem[] {
  const byItem = new Map<string, ReceivedItem>();
  for (const line of lines) {
    const seen = byItem.get(line.itemNo);
    byItem.set(line.itemNo, {
      itemNo: line.itemNo,
      title: seen?.title || line.title,
      quantity: (seen?.quantity ?? 0) + line.quantity,
      unitPrice: formatCents(line.priceCents),
    });
  }
  return [...byItem.values()].sort((a, b) => (a.itemNo < b.itemNo ? -1 : a.itemNo > b.itemNo ? 1 : 0));
}
