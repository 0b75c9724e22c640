/** closed: calls pass; open: calls fail fast; half-open: one trial call decides. */
export type BreakerState = 'closed' | 'half_open' | 'open';

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  threshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  cooldownMs: number;
  now?: () => number;
  onStateChange?: (state: BreakerState, previous: BreakerState) => void;
}

/** Thrown by `acquire()` while the circuit is open (or its single trial is still running). */
export class CircuitOpenError extends Error {
  constructor(
    readonly retryInMs: number,
    readonly consecutiveFailures: number,
  ) {
    super(
      `circuit open after ${consecutiveFailures} consecutive failures; next attempt in ${Math.ceil(retryInMs / 1000)} s`,
    );
    this.name = 'CircuitOpenError';
  }
}

/** What a caller holds between `acquire()` and reporting the outcome. */
export type BreakerPermit = 'normal' | 'trial';

/**
 * A consecutive-failure circuit breaker. `acquire()` before a call, then exactly one of
 * `success(permit)` / `failure(permit)`. While open, callers fail at once instead of waiting for
 * timeouts; after the cooldown a single trial call runs: success closes, failure re-opens.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialRunning = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  acquire(): BreakerPermit {
    if (this.current === 'closed') return 'normal';
    const waited = this.now() - this.openedAt;
    if (this.current === 'open' && waited >= this.options.cooldownMs) {
      this.transition('half_open');
    }
    if (this.current === 'half_open' && !this.trialRunning) {
      this.trialRunning = true;
      return 'trial';
    }
    throw new CircuitOpenError(Math.max(0, this.options.cooldownMs - waited), this.failures);
  }

  success(permit: BreakerPermit): void {
    if (permit === 'trial') this.trialRunning = false;
    this.failures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  failure(permit: BreakerPermit): void {
    if (permit === 'trial') this.trialRunning = false;
    this.failures += 1;
    if (this.current === 'half_open' || (this.current === 'closed' && this.failures >= this.options.threshold)) {
      this.openedAt = this.now();
      this.transition('open');
    } else if (this.current === 'open') {
      // A call that started before the circuit opened failed too: keep it open from now.
      this.openedAt = this.now();
    }
  }

  private transition(next: BreakerState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.options.onStateChange?.(next, previous);
  }
}
