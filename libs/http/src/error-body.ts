import { HttpException, HttpStatus } from '@nestjs/common';
import type { ErrorObject } from 'ajv';
import type { Logger } from '@pjs/logger';
import { ApiException, type ErrorBody } from './api.exception';
import { fieldErrors } from './schema/field-errors';
import { isTransientDatabaseError } from './database-unavailable';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'not_authenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  411: 'length_required',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  502: 'bad_gateway',
  503: 'unavailable',
  504: 'gateway_timeout',
};

/** What Fastify, its plugins and Ajv put on the errors they raise. */
interface FrameworkError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: ErrorObject[];
  validationContext?: string;
}

const PART_NAMES: Record<string, string> = { querystring: 'query', params: 'path', body: 'body', headers: 'header' };

/** 400 naming every bad field: `{"code":"validation_failed","errors":[{"field","message"}]}`. */
export function validationFailed(fields: { field: string; message: string }[]): ApiException {
  const message = fields.map((f) => `${f.field}: ${f.message}`).join('; ') || 'invalid request';
  return new ApiException(400, 'validation_failed', message, fields);
}

function frameworkErrorBody(error: FrameworkError): ErrorBody | undefined {
  if (error.validation) {
    const part = PART_NAMES[error.validationContext ?? 'body'] ?? 'body';
    return validationFailed(fieldErrors(error.validation, part)).getResponse() as ErrorBody;
  }
  const status = error.statusCode;
  if (!status || status < 400 || status >= 500) return undefined;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return { statusCode: 413, code: 'payload_too_large', message: 'The request body is too large.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { statusCode: 415, code: 'unsupported_media_type', message: 'This content type is not accepted here.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case undefined:
      if (status === 400)
        return { statusCode: 400, code: 'malformed_body', message: 'The request body is not valid JSON.' };
      break;
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { statusCode: 400, code: 'malformed_body', message: 'The request body does not match its length.' };
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return { statusCode: 415, code: 'unsupported_media_type', message: 'Send the file as multipart/form-data.' };
    default:
      break;
  }
  return { statusCode: status, code: CODE_BY_STATUS[status] ?? 'bad_request', message: 'The request was rejected.' };
}

/**
 * The one mapping from anything thrown while serving a request to our JSON error body: our coded
 * exceptions keep status and code; Nest's HTTP exceptions get the code of their status; Fastify's
 * validation, body and upload errors become 400 / 413 / 415; passing database trouble becomes 503
 * with Retry-After; anything else is logged and answered as a generic 500 without internals.
 */
export function errorBodyOf(exception: unknown, logger: Logger, context: { method: string; path: string }): ErrorBody {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null && 'code' in response) {
      return { ...(response as ErrorBody), statusCode: status };
    }
    const message =
      typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? exception.message);
    return {
      statusCode: status,
      code: CODE_BY_STATUS[status] ?? 'error',
      message: Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message,
    };
  }
  if (exception !== null && typeof exception === 'object') {
    const body = frameworkErrorBody(exception);
    if (body) return body;
  }
  if (isTransientDatabaseError(exception)) {
    logger.warn('database unavailable', { err: exception, method: context.method, path: context.path });
    return {
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      code: 'database_unavailable',
      message: 'The database is busy or unavailable; try again shortly.',
    };
  }
  logger.error('unhandled error', { err: exception, method: context.method, path: context.path });
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'internal_error', message: 'Internal server error.' };
}
