import { counter, gauge, histogram, type Counter, type Gauge, type Histogram } from '@pjs/metrics';

/** Import metrics (worker and CLI). Labels are low-cardinality: status, outcome. */
export const importMetrics: {
  runs: () => Counter<'status'>;
  rows: () => Counter<'outcome'>;
  duration: () => Histogram;
  rowsPerSecond: () => Gauge;
  progress: () => Gauge;
} = {
  runs: () =>
    counter('dbu_imports_total', 'Import runs finished, by status (dry_run for completed dry runs)', [
      'status',
    ] as const),
  rows: () =>
    counter(
      'dbu_import_rows_total',
      'Rows of import files by outcome: imported (new or changed), rejected, unchanged',
      ['outcome'] as const,
    ),
  duration: () =>
    histogram(
      'dbu_import_duration_seconds',
      'Duration of an import run from start to commit',
      [],
      [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    ),
  rowsPerSecond: () => gauge('dbu_import_rows_per_second', 'Rows per second of the running (or last) import'),
  progress: () => gauge('dbu_import_progress_ratio', 'Share of the running import file read so far (0-1)'),
};
