import { counter } from '@pjs/metrics';
import type { MovementType } from './stock.types';

export const stockMetrics = {
  movements: counter<'type'>('im_stock_movements_total', 'Stock movements booked, by type.', ['type']),
  reduceConflicts: counter(
    'im_reduce_conflicts_total',
    'Reduce-stock requests refused with 409 because the stock would go below zero.',
  ),
  idempotentReplays: counter<'type'>(
    'im_idempotent_replays_total',
    'Stock requests answered from an earlier request with the same Idempotency-Key.',
    ['type'],
  ),
};

export function countMovements(type: MovementType, n = 1): void {
  if (n > 0) stockMetrics.movements.inc({ type }, n);
}
