interface Window {
  /** Start of the current fixed window (ms since epoch, a multiple of the window length). */
  start: number;
  previous: number;
  current: number;
}

/**
 * An in-memory sliding-window counter (the two-window approximation): the count over the last
 * `windowMs` is estimated as `previous × (part of the previous window still inside) + current`.
 * O(1) memory per key, accurate to within one window's edge effects. Refused hits are not
 * counted, so a client that waits Retry-After seconds gets through. Per process: with several
 * im-web replicas each enforces its own limit.
 */
export class SlidingWindowLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.limit > 0;
  }

  /** Counts a request for `key`; answers 0 when allowed, otherwise the seconds to wait (≥ 1). */
  hit(key: string): number {
    if (!this.enabled) return 0;
    const now = this.now();
    this.sweep(now);
    const w = this.windowOf(key, now);
    const elapsed = now - w.start;
    const estimate = (w.previous * (this.windowMs - elapsed)) / this.windowMs + w.current;
    if (estimate + 1 > this.limit) return Math.max(1, Math.ceil(this.waitMs(w, elapsed) / 1000));
    w.current += 1;
    return 0;
  }

  /** Keys currently tracked (for tests and the gauge). */
  get size(): number {
    return this.windows.size;
  }

  private windowOf(key: string, now: number): Window {
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    let w = this.windows.get(key);
    if (!w || w.start < start - this.windowMs) {
      w = { start, previous: 0, current: 0 };
    } else if (w.start < start) {
      w = { start, previous: w.current, current: 0 };
    }
    this.windows.set(key, w);
    return w;
  }

  /** The shortest wait after which one more request fits under the limit. */
  private waitMs(w: Window, elapsed: number): number {
    const W = this.windowMs;
    const room = this.limit - 1 - w.current;
    if (room >= 0 && w.previous > 0) {
      // Still in this window: wait until enough of the previous window has slid out.
      const wait = W - elapsed - (room * W) / w.previous;
      if (wait < W - elapsed) return Math.max(0, wait);
    }
    // Next window: the current count becomes the sliding "previous".
    const intoNext = w.current > 0 ? Math.max(0, W * (1 - (this.limit - 1) / w.current)) : 0;
    return W - elapsed + intoNext;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    const oldest = Math.floor(now / this.windowMs) * this.windowMs - this.windowMs;
    for (const [key, w] of this.windows) if (w.start < oldest) this.windows.delete(key);
  }
}
