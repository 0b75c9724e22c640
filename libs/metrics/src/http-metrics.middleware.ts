import type { IncomingMessage, ServerResponse } from 'node:http';
import { histogram } from './registry';

export const httpRequestDuration = () =>
  histogram(
    'http_request_duration_seconds',
    'HTTP requests by method, route template and status class',
    ['method', 'route', 'status_class'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );

interface RoutedRequest extends IncomingMessage {
  route?: { path?: string };
  baseUrl?: string;
}

/**
 * RED metrics per route template. Reads the template Express matched (never the raw URL, which
 * would explode cardinality); requests that matched no route count as `unmatched`.
 */
export function httpMetricsMiddleware(skip: (path: string) => boolean = () => false) {
  const duration = httpRequestDuration();
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (skip(path)) return next();
    const end = duration.startTimer();
    res.on('finish', () => {
      const routed = req as RoutedRequest;
      const template = routed.route?.path ? `${routed.baseUrl ?? ''}${routed.route.path}` : 'unmatched';
      end({ method: req.method ?? 'GET', route: template, status_class: `${Math.floor(res.statusCode / 100)}xx` });
    });
    next();
  };
}
