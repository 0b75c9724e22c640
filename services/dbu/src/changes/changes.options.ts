import type { DbuConfig } from '../config/dbu-config';

export const CHANGES_OPTIONS = Symbol('CHANGES_OPTIONS');

export interface ChangesOptions {
  /** CHANGES_RETENTION: changes older than this are removed by dbu-cleanup (readers behind them start over). */
  retentionMs: number;
}

export const changesOptions = (config: DbuConfig): ChangesOptions => ({ retentionMs: config.CHANGES_RETENTION });
