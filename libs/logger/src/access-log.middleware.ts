import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger';

/** One JSON line per request, after the response is sent; the query string is left out. */
export function accessLogMiddleware(logger: Logger, skip: (path: string) => boolean = () => false) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // Formatting a line costs CPU on every request: skip it entirely when nobody would read it.
    if (skip(path) || !logger.isLevelEnabled('http')) return next();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.log(res.statusCode >= 500 ? 'error' : 'http', 'request', {
        method: req.method,
        path,
        status: res.statusCode,
        duration_ms: Math.round(ms * 10) / 10,
      });
    });
    next();
  };
}
