import type { DbuConfig } from '../config/dbu-config';

export const CLEANUP_OPTIONS = Symbol('CLEANUP_OPTIONS');

export interface CleanupOptions {
  /** CLEANUP_SCHEDULE (cron) of dbu-cleanup's run. */
  schedule: string;
  /** CLEANUP_OLDER_THAN: uploads older than this are deleted (unless a live import needs them). */
  olderThanMs: number;
}

export const cleanupOptions = (config: DbuConfig): CleanupOptions => ({
  schedule: config.CLEANUP_SCHEDULE,
  olderThanMs: config.CLEANUP_OLDER_THAN,
});
