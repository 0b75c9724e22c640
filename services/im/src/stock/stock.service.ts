import { Injectable } from '@nestjs/common';
import { FieldValidationException } from '@pjs/http';
import { OrdersRepository } from '../orders/orders.repository';
import { PG_NUMERIC_OUT_OF_RANGE, pgError } from '../database/pg-error';
import {
  InsufficientStockException,
  ItemNotDeletedException,
  ItemNotFoundException,
  QuantityOutOfRangeException,
} from './stock.exception';
import { countMovements, stockMetrics } from './stock.metrics';
import { StockRepository, type Queryable, type StockChange } from './stock.repository';
import type { Actor, StockChangeResult, StockOperation } from './stock.types';

export interface StockRequest {
  itemNo: string;
  /** Positive; only add and reduce use it. */
  amount?: number;
  /** The order number the change belongs to. */
  orderNumber?: string;
  reason?: string;
}

/**
 * add / reduce / delete / restore on one item. Each change is one conditional UPDATE plus its
 * ledger row in a single statement; a retried request with an `Idempotency-Key` is answered by
 * @pjs/idempotency (StockController) before it gets here.
 */
@Injectable()
export class StockService {
  constructor(
    private readonly stock: StockRepository,
    private readonly orders: OrdersRepository,
  ) {}

  /**
   * Applies one change: alone, one autocommit statement (the hot path); with `tx`, inside that
   * transaction (the caller's Idempotency-Key is stored in it, see StockController).
   */
  async change(
    operation: StockOperation,
    request: StockRequest,
    actor: Actor,
    tx?: Queryable,
  ): Promise<StockChangeResult> {
    const amount = operation === 'add' || operation === 'reduce' ? (request.amount ?? 0) : 0;
    const orderId = request.orderNumber ? await this.resolveOrder(request.orderNumber) : null;
    const change: StockChange = {
      operation,
      itemNo: request.itemNo,
      amount,
      orderId,
      orderNumber: request.orderNumber ?? null,
      reason: request.reason ?? null,
      actor,
    };
    let booked;
    try {
      booked = await this.stock.apply(change, tx);
    } catch (err) {
      if (pgError(err).code === PG_NUMERIC_OUT_OF_RANGE) throw new QuantityOutOfRangeException(request.itemNo);
      throw err;
    }
    if (!booked) return this.explainRefusal(operation, request.itemNo, amount);
    countMovements(operation);
    return { item_no: request.itemNo, quantity: booked.movement.balance_after, movement: booked.movement };
  }

  private async resolveOrder(orderNumber: string): Promise<number> {
    const id = await this.orders.findIdByNumber(orderNumber);
    if (id === null) throw new FieldValidationException('order_id', `no order with number ${orderNumber}`);
    return id;
  }

  /** The conditional update matched nothing: say why (this read decides only the error). */
  private async explainRefusal(operation: StockOperation, itemNo: string, amount: number): Promise<never> {
    const state = await this.stock.findItemState(itemNo);
    const live = state && !state.isDeleted;
    if (operation === 'restore') {
      if (!state) throw new ItemNotFoundException(itemNo);
      throw new ItemNotDeletedException(itemNo);
    }
    if (!live) throw new ItemNotFoundException(itemNo);
    if (operation === 'reduce') {
      stockMetrics.reduceConflicts.inc();
      throw new InsufficientStockException(itemNo, state.quantity, amount);
    }
    // add/delete on a live item always match; the item changed under us (deleted meanwhile).
    throw new ItemNotFoundException(itemNo);
  }
}
