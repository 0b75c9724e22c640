/** Injection tokens of the sync feature. */
export const SYNC_OPTIONS = Symbol('SYNC_OPTIONS');
/** The process's winston logger, for the providers of sync, signal, dbu-items and intake. */
export const IM_LOGGER = Symbol('IM_LOGGER');

export interface SyncOptions {
  /** `SYNC_BATCH_SIZE`: item numbers per DBU lookup (≤ 500). */
  batchSize: number;
}
