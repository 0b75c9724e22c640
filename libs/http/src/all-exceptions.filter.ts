import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@pjs/logger';
import { RateLimitedException } from './api.exception';
import { sendError } from './pipeline/send-error';
import { errorBodyOf } from './error-body';
import { DATABASE_RETRY_AFTER_SECONDS } from './database-unavailable';

/** Errors thrown by controllers and services: the same body as the pipeline's own refusals. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = errorBodyOf(exception, this.logger, { method: request.method, path: pathOf(request.url) });
    sendError(reply, body, retryAfterOf(exception, body.code));
  }
}

function retryAfterOf(exception: unknown, code: string): number | undefined {
  if (exception instanceof RateLimitedException) return exception.retryAfterSeconds;
  return code === 'database_unavailable' ? DATABASE_RETRY_AFTER_SECONDS : undefined;
}

export function pathOf(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? url : url.slice(0, mark);
}
