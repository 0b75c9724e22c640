import type { DbuConfig } from '../config/dbu-config';

export const SIGNAL_OPTIONS = Symbol('SIGNAL_OPTIONS');

/** The SIGNAL_* settings (the module is only loaded when SIGNAL_URL is set). */
export interface SignalOptions {
  url: string;
  secret?: string;
  timeoutMs: number;
  maxAttempts: number;
  retryAfterMs: number;
}

export const signalOptions = (config: DbuConfig): SignalOptions => {
  if (!config.SIGNAL_URL) throw new Error('SignalsModule needs SIGNAL_URL');
  return {
    url: config.SIGNAL_URL,
    secret: config.SIGNAL_SECRET,
    timeoutMs: config.SIGNAL_TIMEOUT,
    maxAttempts: config.SIGNAL_MAX_ATTEMPTS,
    retryAfterMs: config.SIGNAL_RETRY_AFTER,
  };
};
