export { registry, initMetrics, counter, gauge, histogram } from './registry';
export { httpMetricsMiddleware, httpRequestDuration } from './http-metrics.middleware';
export { MetricsController, IS_PUBLIC_KEY, METRICS_BEFORE_SCRAPE } from './metrics.controller';
export type { BeforeScrape } from './metrics.controller';
export { startMetricsServer } from './metrics-server';
export type { HealthReport, MetricsServerOptions } from './metrics-server';
export type { Counter, Gauge, Histogram } from 'prom-client';
