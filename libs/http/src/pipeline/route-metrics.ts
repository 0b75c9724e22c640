import { httpRequestDuration, type HistogramSeries } from '@pjs/metrics';

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

/** RED metrics per route template (never the raw URL), one series looked up per request. */
export class RouteMetrics {
  private readonly histogram = httpRequestDuration();
  private readonly series = new Map<string, HistogramSeries>();

  observe(method: string, route: string, status: number, seconds: number): void {
    const statusClass = STATUS_CLASSES[Math.floor(status / 100)] ?? 'other';
    const key = `${method} ${statusClass} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      series = this.histogram.seriesOf(method, route, statusClass);
      this.series.set(key, series);
    }
    series.observe(seconds);
  }
}
