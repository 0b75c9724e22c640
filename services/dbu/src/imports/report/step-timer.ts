/** Milliseconds per step of a run, recorded on it (which step took the time is part of explaining it). */
export class StepTimer {
  private last = Date.now();
  private readonly laps: Record<string, number> = {};

  /** A step timed elsewhere; the next lap starts now. */
  record(step: string, ms: number): void {
    this.laps[step] = ms;
    this.last = Date.now();
  }

  /** The time since the previous lap, as `step`; answers every lap so far. */
  lap(step: string): Record<string, number> {
    const now = Date.now();
    this.laps[step] = now - this.last;
    this.last = now;
    return this.laps;
  }
}

/** Rows per second since `started`. */
export function rowsPerSecond(rows: number, started: number): number {
  const seconds = (Date.now() - started) / 1000;
  return seconds > 0 ? rows / seconds : rows;
}
