import { counter, gauge, histogram } from '@pjs/metrics';

/** What started a sync run: a signal (missing / all), a DBU import, the CLI or confirm-item. */
export type SyncKind = 'missing' | 'all' | 'items' | 'changed';

export const syncMetrics = {
  lag: () =>
    gauge('im_sync_lag_seconds', 'Age of the oldest item still missing DBU details (0 when every item has details)'),
  missing: () => gauge('im_sync_missing_items', 'Items without DBU details'),
  batchSize: () =>
    histogram('im_sync_batch_size', 'Item numbers per DBU lookup during a sync', [], [1, 5, 10, 25, 50, 100, 250, 500]),
  items: () =>
    counter('im_sync_items_total', 'Items handled by sync runs: updated from DBU or not found in DBU', [
      'result',
    ] as const),
  runs: () => counter('im_sync_runs_total', 'Sync runs by kind and outcome', ['kind', 'outcome'] as const),
  runTotal: () => gauge('im_sync_run_items', 'Items the current (or last) sync run has to handle', ['kind'] as const),
  runDone: () => gauge('im_sync_run_items_done', 'Items the current (or last) sync run has handled', ['kind'] as const),
  lastSuccess: () =>
    gauge('im_sync_last_success_timestamp_seconds', 'When a sync run last finished without error (unix time)'),
  reconcileLag: () =>
    gauge(
      'im_reconcile_lag_seconds',
      "Seconds since im-worker last read DBU's changes feed to its end (0 until the first run)",
    ),
  reconcileItems: () =>
    counter('im_reconcile_items_total', "Items handled by the reconciler from DBU's changes feed", ['result'] as const),
  reconcileRuns: () =>
    counter('im_reconcile_runs_total', 'Reconciler runs by outcome (ok, failed, busy: another one held the lock)', [
      'outcome',
    ] as const),
};
