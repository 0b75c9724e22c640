import { Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { formatCents } from '../orders/money';
import type { OrderSource, OrderView } from '../orders/order.types';
import { OrdersRepository } from '../orders/orders.repository';
import { countMovements } from '../stock/stock.metrics';
import { StockRepository, type ReceivedItem } from '../stock/stock.repository';
import type { Actor } from '../stock/stock.types';
import { receiveMetrics } from './receive.metrics';
import { OrderValidationError, parseReceivePayload, type ReceiveLine, type ReceiveOrder } from './receive.schema';

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
 * Receiving a supplier order: validates the payload (the same rules for `POST /api/receive/` and
 * the `im.order.received` message), then in ONE transaction creates the order and its lines,
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

  /** Throws OrderValidationError (naming the field) when the payload is invalid. */
  async receive(payload: unknown, actor: ReceiveActor): Promise<ReceiveResult> {
    let order: ReceiveOrder;
    try {
      order = parseReceivePayload(payload);
    } catch (err) {
      if (err instanceof OrderValidationError) receiveMetrics.orders.inc({ source: actor.source, result: 'invalid' });
      throw err;
    }
    return this.receiveParsed(order, actor);
  }

  async receiveParsed(order: ReceiveOrder, actor: ReceiveActor): Promise<ReceiveResult> {
    const booked = await this.db.transaction(async (tx) => {
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
    const existing = await this.orders.findByNumber(order.orderNumber);
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
