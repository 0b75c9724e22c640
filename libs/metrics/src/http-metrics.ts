import { seriesHistogram } from './series-histogram';

/** RED metrics of every HTTP route: method, route template (never a raw URL) and status class. */
export const httpRequestDuration = () =>
  seriesHistogram(
    'http_request_duration_seconds',
    'HTTP requests by method, route template and status class',
    ['method', 'route', 'status_class'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
