export { registry, initMetrics, counter, gauge, histogram } from './registry';
export { httpRequestDuration } from './http-metrics';
export { SeriesHistogram, seriesHistogram } from './series-histogram';
export type { HistogramSeries } from './series-histogram';
export { MetricsController, METRICS_BEFORE_SCRAPE } from './metrics.controller';
export type { BeforeScrape } from './metrics.controller';
export { startMetricsServer } from './metrics-server';
export type { HealthReport, MetricsServerOptions } from './metrics-server';
export type { Counter, Gauge, Histogram } from 'prom-client';
