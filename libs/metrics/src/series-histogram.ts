import type { Metric, MetricValueWithName } from 'prom-client';
import { registry } from './registry';

/** One labelled series of a SeriesHistogram: observing costs a bucket search and three additions. */
export interface HistogramSeries {
  observe(value: number): void;
}

interface Series {
  labels: Record<string, string>;
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram whose labelled series are resolved once and then observed directly,
 * for the per-request RED metrics: prom-client's Histogram validates and hashes the labels on
 * every observation (3–4 µs, a tenth of a request's whole pipeline; docs/architecture.md). The
 * exposition is prom-client's own: the metric is registered in the shared registry and rendered
 * by it like any other (`_bucket` with `le`, `_sum`, `_count`, default labels added).
 */
export class SeriesHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly buckets: readonly number[],
  ) {}

  /** The series of these label values (in labelNames order), created at its first use. */
  seriesOf(...values: string[]): HistogramSeries {
    const key = values.join('\u0000');
    let series = this.series.get(key);
    if (!series) {
      const labels = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]]));
      series = { labels, counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    const s = series;
    const buckets = this.buckets;
    return {
      observe: (value: number) => {
        s.sum += value;
        s.count += 1;
        for (let i = 0; i < buckets.length; i++) {
          if (value <= buckets[i]) {
            s.counts[i] += 1;
            return;
          }
        }
      },
    };
  }

  /** What prom-client's registry renders (the shape its own histograms return). */
  get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    values: MetricValueWithName<string>[];
    aggregator: 'sum';
  }> {
    const values: MetricValueWithName<string>[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i];
        values.push({ labels: { ...s.labels, le: bound }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' });
  }

  reset(): void {
    this.series.clear();
  }
}

/** The registered SeriesHistogram of that name (one per process, shared by apps in it). */
export function seriesHistogram(
  name: string,
  help: string,
  labelNames: readonly string[],
  buckets: readonly number[],
): SeriesHistogram {
  const existing = registry.getSingleMetric(name) as unknown as SeriesHistogram | undefined;
  if (existing) return existing;
  const metric = new SeriesHistogram(name, help, labelNames, buckets);
  registry.registerMetric(metric as unknown as Metric);
  return metric;
}
