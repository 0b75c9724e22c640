import type { Logger } from '@pjs/logger';
import type { ImportRunRepository } from './import-run.repository';
import type { ImportPhase } from './import-run.types';
import { importMetrics } from './import.metrics';

export interface ProgressSnapshot {
  phase: ImportPhase;
  rowsDone: number;
  rowsPerSecond: number;
  /** Share of the file read, 0-100. */
  percent: number;
  elapsedMs: number;
}

export type ProgressListener = (snapshot: ProgressSnapshot) => void;

/**
 * Publishes an import's progress about once a second: to the run's row (over the pool, not the
 * import's transaction, so readers see it live), to the gauges, and to an optional listener
 * (the CLI's progress bar).
 */
export class ImportProgress {
  private phase: ImportPhase = 'parsing';
  private rows = 0;
  private readonly started = Date.now();
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;

  constructor(
    private readonly runs: ImportRunRepository,
    private readonly runId: string,
    private readonly position: () => { read: number; total: number },
    private readonly logger: Logger,
    private readonly listener?: ProgressListener,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  setRows(rows: number): void {
    this.rows = rows;
  }

  setPhase(phase: ImportPhase): void {
    this.phase = phase;
    this.tick();
  }

  snapshot(): ProgressSnapshot {
    const elapsedMs = Date.now() - this.started;
    const { read, total } = this.position();
    const percent = this.phase === 'parsing' ? (total > 0 ? Math.min(99.9, (read / total) * 100) : 0) : 100;
    return {
      phase: this.phase,
      rowsDone: this.rows,
      rowsPerSecond: elapsedMs > 0 ? (this.rows * 1000) / elapsedMs : 0,
      percent,
      elapsedMs,
    };
  }

  /** Stops and waits for a write in flight (the run row is then written by the import's transaction). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.writing;
  }

  private tick(): void {
    const snapshot = this.snapshot();
    importMetrics.progress().set(snapshot.percent / 100);
    importMetrics.rowsPerSecond().set(snapshot.rowsPerSecond);
    this.listener?.(snapshot);
    if (this.writing) return;
    this.writing = this.runs
      .progress(this.runId, snapshot)
      .catch((err: unknown) => {
        this.logger.warn('could not record import progress', { err, import_id: this.runId });
      })
      .finally(() => {
        this.writing = undefined;
      });
  }
}
