import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ArgumentsHost } from '@nestjs/common';
import type { AllExceptionsFilter } from '@pjs/http';
import type { ExpressParts } from './express-parts';

/**
 * Writes `body` as Express's `res.status(status).json(body)` does with default JSON settings: the
 * same headers in the same order (Content-Type, Content-Length, ETag) and the same bytes. Header
 * and body go out as one string, hence in one socket write.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, etag: ExpressParts['etag']): void {
  const json = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(json)));
  const tag = etag?.(json, 'utf8');
  if (tag) res.setHeader('ETag', tag);
  res.end(json);
}

/**
 * Answers an error through the app's own exception filter (the same body, status, headers and
 * "unhandled error" log line as when a controller throws), giving it just the parts of an
 * Express request and response that it uses.
 */
export function sendError(
  filter: AllExceptionsFilter,
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  etag: ExpressParts['etag'],
): void {
  let status = 500;
  const response = {
    get headersSent() {
      return res.headersSent;
    },
    setHeader: (name: string, value: string) => res.setHeader(name, value),
    status(code: number) {
      status = code;
      return response;
    },
    json: (body: unknown) => sendJson(res, status, body, etag),
  };
  const request = { method: req.method, path: (req.url ?? '/').split('?')[0] };
  const http = { getRequest: () => request, getResponse: () => response };
  filter.catch(error, { switchToHttp: () => http } as unknown as ArgumentsHost);
}
