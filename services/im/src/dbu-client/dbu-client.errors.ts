import { ApiException } from '@pjs/http';

/**
 * Why a DBU call failed, as our callers see it:
 * - `unavailable`: DBU unreachable or answering 5xx after the retries (502);
 * - `timeout`: no answer within DBU_TIMEOUT (504);
 * - `circuit_open`: too many consecutive failures, calls are short-circuited for a while (502);
 * - `auth_failed`: DBU refused our credentials, an operator must fix DBU_* settings (502);
 * - `bad_response`: DBU answered something we cannot use (502).
 */
export type DbuErrorKind = 'unavailable' | 'timeout' | 'circuit_open' | 'auth_failed' | 'bad_response';

const STATUS: Record<DbuErrorKind, number> = {
  unavailable: 502,
  timeout: 504,
  circuit_open: 502,
  auth_failed: 502,
  bad_response: 502,
};

const CODE: Record<DbuErrorKind, string> = {
  unavailable: 'dbu_unavailable',
  timeout: 'dbu_timeout',
  circuit_open: 'dbu_unavailable',
  auth_failed: 'dbu_auth_failed',
  bad_response: 'dbu_bad_response',
};

/**
 * A failed DBU call. It is an ApiException, so a controller can let it through and the global
 * filter answers `{statusCode: 502|504, code: 'dbu_…', message}`; workers retry on it.
 */
export class DbuClientError extends ApiException {
  constructor(
    readonly kind: DbuErrorKind,
    message: string,
  ) {
    super(STATUS[kind], CODE[kind], message);
    this.name = 'DbuClientError';
  }
}
