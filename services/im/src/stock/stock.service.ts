import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { FieldValidationException } from '@pjs/http';
import { OrdersRepository } from '../orders/orders.repository';
import { PG_NUMERIC_OUT_OF_RANGE, PG_UNIQUE_VIOLATION, pgError } from '../orders/pg-error';
import { IDEMPOTENCY_KEY_PATTERN } from './dto/stock-change.dto';
import {
  IdempotencyKeyReusedException,
  InsufficientStockException,
  ItemNotDeletedException,
  ItemNotFoundException,
  QuantityOutOfRangeException,
} from './stock.exception';
import { countMovements, stockMetrics } from './stock.metrics';
import { StockRepository, type StockChange } from './stock.repository';
import type { Actor, StockChangeResult, StockOperation } from './stock.types';

export interface StockRequest {
  itemNo: string;
  /** Positive; only add and reduce use it. */
  amount?: number;
  /** The order number the change belongs to. */
  orderNumber?: string;
  reason?: string;
}

export interface StockAnswer extends StockChangeResult {
  /** True when answered from an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

const IDEMPOTENCY_INDEX = 'stock_movements_idempotency_key';

/**
 * add / reduce / delete / restore on one item. Each change is one conditional UPDATE plus its
 * ledger row in a single statement; an `Idempotency-Key` (scoped to the caller and the
 * operation) makes a retried request answer the first result without applying it again.
 */
@Injectable()
export class StockService {
  constructor(
    private readonly stock: StockRepository,
    private readonly orders: OrdersRepository,
  ) {}

  async change(
    operation: StockOperation,
    request: StockRequest,
    actor: Actor,
    idempotencyKey?: string,
  ): Promise<StockAnswer> {
    const key = this.checkKey(idempotencyKey);
    const amount = operation === 'add' || operation === 'reduce' ? (request.amount ?? 0) : 0;
    const requestHash = key ? hashRequest(operation, request.itemNo, amount, request) : null;
    if (key) {
      const earlier = await this.replay(operation, actor, key, requestHash!);
      if (earlier) return earlier;
    }
    const orderId = request.orderNumber ? await this.resolveOrder(request.orderNumber) : null;
    const change: StockChange = {
      operation,
      itemNo: request.itemNo,
      amount,
      orderId,
      orderNumber: request.orderNumber ?? null,
      reason: request.reason ?? null,
      actor,
      idempotencyKey: key,
      requestHash,
    };
    let booked;
    try {
      booked = await this.stock.apply(change);
    } catch (err) {
      const { code, constraint } = pgError(err);
      if (key && code === PG_UNIQUE_VIOLATION && constraint === IDEMPOTENCY_INDEX) {
        // A concurrent request with the same key won; our statement (and its update) was undone.
        const earlier = await this.replay(operation, actor, key, requestHash!);
        if (earlier) return earlier;
      }
      if (code === PG_NUMERIC_OUT_OF_RANGE) throw new QuantityOutOfRangeException(request.itemNo);
      throw err;
    }
    if (!booked) return this.explainRefusal(operation, request.itemNo, amount);
    countMovements(operation);
    return {
      item_no: request.itemNo,
      quantity: booked.movement.balance_after,
      movement: booked.movement,
      replayed: false,
    };
  }

  private checkKey(key: string | undefined): string | null {
    if (key === undefined) return null;
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new FieldValidationException('Idempotency-Key', 'must be 1 to 200 visible ASCII characters');
    }
    return key;
  }

  private async replay(
    operation: StockOperation,
    actor: Actor,
    key: string,
    requestHash: string,
  ): Promise<StockAnswer | null> {
    const earlier = await this.stock.findByIdempotencyKey(actor.name, operation, key);
    if (!earlier) return null;
    if (earlier.requestHash !== requestHash) throw new IdempotencyKeyReusedException();
    stockMetrics.idempotentReplays.inc({ type: operation });
    return {
      item_no: earlier.itemNo,
      quantity: earlier.movement.balance_after,
      movement: earlier.movement,
      replayed: true,
    };
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

function hashRequest(operation: StockOperation, itemNo: string, amount: number, request: StockRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, itemNo, amount, request.orderNumber ?? null, request.reason ?? null]))
    .digest('hex');
}
