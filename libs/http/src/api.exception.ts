import { HttpException } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/** The JSON error every service answers with. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  errors?: FieldError[];
  request_id?: string;
  /** Some codes say more, e.g. `scope` for insufficient_scope, `import_id` for duplicate_import. */
  [detail: string]: unknown;
}

/** An error with a stable code, mapped to its HTTP status by the global filter. */
export class ApiException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super({ statusCode: status, code, message, ...(errors ? { errors } : {}) }, status);
  }
}

/** 400 for one bad field, naming it. */
export class FieldValidationException extends ApiException {
  constructor(field: string, message: string) {
    super(400, 'validation_failed', `${field}: ${message}`, [{ field, message }]);
  }
}

export class NotFoundApiException extends ApiException {
  constructor(what: string) {
    super(404, 'not_found', `${what} not found`);
  }
}

export class ConflictApiException extends ApiException {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

/** 429 with a Retry-After header (seconds). */
export class RateLimitedException extends ApiException {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests; try again later.',
  ) {
    super(429, 'rate_limited', message);
  }
}
