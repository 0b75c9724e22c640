import type { DbuConfig } from '../../config/dbu-config';

export const IMPORT_OPTIONS = Symbol('IMPORT_OPTIONS');

export interface ImportOptions {
  /** SIGNAL_URL is set: a committed run's signal starts as pending. */
  signalEnabled: boolean;
  /** IMPORT_MAX_ATTEMPTS. */
  maxAttempts: number;
}

export const importOptions = (config: DbuConfig): ImportOptions => ({
  signalEnabled: !!config.SIGNAL_URL,
  maxAttempts: config.IMPORT_MAX_ATTEMPTS,
});

/** Test seam: ImportHooks that run between the steps of a merge (e.g. to kill the worker there). */
export const IMPORT_HOOKS = Symbol('IMPORT_HOOKS');

/** Steps of the merge, after which tests may interfere (e.g. kill the worker mid-way). */
export type MergeStep = 'staged' | 'lookups' | 'history' | 'updated' | 'inserted';

export interface ImportHooks {
  afterStep?: (step: MergeStep, importId: string) => Promise<void>;
}

export const IMPORT_WATCHDOG_OPTIONS = Symbol('IMPORT_WATCHDOG_OPTIONS');

export interface ImportWatchdogOptions {
  intervalMs: number;
  /** Queued or running this long without progress and not locked by a live process: lost. */
  staleMs: number;
}

export const DEFAULT_WATCHDOG_OPTIONS: ImportWatchdogOptions = { intervalMs: 60_000, staleMs: 15 * 60_000 };
