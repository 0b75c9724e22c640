/** Injection tokens of the sync feature. */
export const SYNC_OPTIONS = Symbol('SYNC_OPTIONS');

export interface SyncOptions {
  /** `SYNC_BATCH_SIZE`: item numbers per DBU lookup (≤ 500). */
  batchSize: number;
}
