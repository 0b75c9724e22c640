import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@pjs/logger';
import { httpRequestDuration } from '@pjs/metrics';

/**
 * What the shared access log and RED metrics middlewares record for every request, for a request
 * the lane answered: the histogram under the route template Express would have matched, and the
 * access log line at `http` level (`error` for 5xx), both once the response is sent. Logged inside
 * the request's correlation context, so the line carries its id as Express's does.
 */
export function recordServedRequest(
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse, route: string, started: bigint) => void {
  const duration = httpRequestDuration();
  return (req, res, route, started) => {
    const log = logger.isLevelEnabled('http');
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.statusCode;
      duration.observe({ method: req.method ?? 'POST', route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
      if (!log) return;
      logger.log(status >= 500 ? 'error' : 'http', 'request', {
        method: req.method,
        path: (req.url ?? '/').split('?')[0],
        status,
        duration_ms: Math.round(seconds * 10_000) / 10,
      });
    });
  };
}
