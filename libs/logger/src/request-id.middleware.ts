import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER, newCorrelationId, runWithCorrelationId, sanitizeCorrelationId } from './correlation';

/**
 * Express/Connect middleware: takes `X-Request-Id` from the caller (or makes one), echoes it in
 * the response and runs the rest of the request inside its correlation context.
 */
export function requestIdMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const id = sanitizeCorrelationId(req.headers[REQUEST_ID_HEADER]) ?? newCorrelationId();
  (req as IncomingMessage & { id?: string }).id = id;
  res.setHeader('X-Request-Id', id);
  runWithCorrelationId(id, next);
}
