import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { currentCorrelationId, type Logger } from '@pjs/logger';
import { RateLimitedException, type ErrorBody } from './api.exception';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'not_authenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  502: 'bad_gateway',
  503: 'unavailable',
  504: 'gateway_timeout',
};

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

/**
 * One place that turns every error into our JSON body. Known HTTP errors keep their status and
 * code; body-parser errors (too large, malformed JSON) become 413/400; anything else is logged
 * and answered as a generic 500 without internals.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = this.toBody(exception, req);
    body.request_id = currentCorrelationId();
    if (exception instanceof RateLimitedException) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    if (body.statusCode === 401) res.setHeader('WWW-Authenticate', 'Token');
    if (!res.headersSent) res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, req: Request): ErrorBody {
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
        message: Array.isArray(message)
          ? message.join('; ')
          : typeof message === 'string'
            ? message
            : exception.message,
      };
    }
    const parserError = exception as BodyParserError;
    const status = parserError.status ?? parserError.statusCode;
    if (parserError.type && status && status >= 400 && status < 500) {
      if (parserError.type === 'entity.too.large') {
        return { statusCode: 413, code: 'payload_too_large', message: 'The request body is too large.' };
      }
      if (parserError.type === 'entity.parse.failed') {
        return { statusCode: 400, code: 'malformed_body', message: 'The request body is not valid JSON.' };
      }
      return {
        statusCode: status,
        code: CODE_BY_STATUS[status] ?? 'bad_request',
        message: 'The request body was rejected.',
      };
    }
    this.logger.error('unhandled error', { err: exception, method: req.method, path: req.path });
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'internal_error', message: 'Internal server error.' };
  }
}
