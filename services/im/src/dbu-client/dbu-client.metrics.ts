import { counter, gauge, histogram } from '@pjs/metrics';
import type { BreakerState } from './circuit-breaker';

/** Failure kinds counted by `im_dbu_client_errors_total{kind}`. */
export type DbuFailureKind = 'network' | 'timeout' | 'http_5xx' | 'http_4xx' | 'auth' | 'bad_response' | 'circuit_open';

export const dbuClientMetrics = {
  errors: () =>
    counter('im_dbu_client_errors_total', 'Failed DBU requests by kind (each attempt counts)', ['kind'] as const),
  requests: () =>
    histogram(
      'im_dbu_request_duration_seconds',
      'DBU HTTP requests by operation and outcome',
      ['operation', 'outcome'] as const,
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
  breakerState: () => gauge('im_dbu_breaker_state', 'DBU circuit breaker: 0 closed, 1 half-open, 2 open'),
};

export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };
