import type { DbuConfig } from '../config/dbu-config';

export const CATEGORIES_SYNC_OPTIONS = Symbol('CATEGORIES_SYNC_OPTIONS');

export interface CategoriesSyncOptions {
  /** WHOLESALER_CATEGORIES_URL; without it only the CLI syncs, from a URL it is given. */
  url?: string;
  /** CATEGORIES_TIMEOUT. */
  timeoutMs: number;
  /** CATEGORIES_SCHEDULE (cron) of the worker's refresh. */
  schedule: string;
}

export const categoriesSyncOptions = (config: DbuConfig): CategoriesSyncOptions => ({
  url: config.WHOLESALER_CATEGORIES_URL,
  timeoutMs: config.CATEGORIES_TIMEOUT,
  schedule: config.CATEGORIES_SCHEDULE,
});
