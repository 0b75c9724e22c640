import type { DbuConfig } from '../config/dbu-config';

export const PHOTO_OPTIONS = Symbol('PHOTO_OPTIONS');

/** The PHOTO_* settings. */
export interface PhotoOptions {
  mediaDir: string;
  /** Downloads at once. */
  concurrency: number;
  timeoutMs: number;
  maxBytes: number;
  /** Tries of a failing photo before it is given up. */
  maxAttempts: number;
  /** Wait before a failed photo is tried again; doubles with each failure. */
  retryAfterMs: number;
  /** Photos per worker job. */
  batchSize: number;
  /** Cron expression of the worker's pass over missing photos. */
  schedule: string;
  /** Fetch the missing photos after every committed import. */
  afterImport: boolean;
}

export const photoOptions = (config: DbuConfig): PhotoOptions => ({
  mediaDir: config.MEDIA_DIR,
  concurrency: config.PHOTO_CONCURRENCY,
  timeoutMs: config.PHOTO_TIMEOUT,
  maxBytes: config.PHOTO_MAX_BYTES,
  maxAttempts: config.PHOTO_MAX_ATTEMPTS,
  retryAfterMs: config.PHOTO_RETRY_AFTER,
  batchSize: config.PHOTO_BATCH_SIZE,
  schedule: config.PHOTOS_SCHEDULE,
  afterImport: config.PHOTOS_AFTER_IMPORT,
});
