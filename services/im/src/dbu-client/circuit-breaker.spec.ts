import { CircuitBreaker, CircuitOpenError, type BreakerState } from './circuit-breaker';

describe(CircuitBreaker.name, () => {
  let clock = 0;
  let changes: BreakerState[] = [];
  const breaker = (threshold = 3, cooldownMs = 1000) =>
    new CircuitBreaker({ threshold, cooldownMs, now: () => clock, onStateChange: (s) => changes.push(s) });

  beforeEach(() => {
    clock = 0;
    changes = [];
  });

  it('stays closed below the threshold and resets the count on success', () => {
    const b = breaker(3);
    b.failure(b.acquire());
    b.failure(b.acquire());
    b.success(b.acquire());
    b.failure(b.acquire());
    b.failure(b.acquire());
    expect(b.state).toBe('closed');
    expect(b.consecutiveFailures).toBe(2);
  });

  it('opens at the threshold and rejects with the remaining cooldown', () => {
    const b = breaker(2, 5000);
    b.failure(b.acquire());
    b.failure(b.acquire());
    expect(b.state).toBe('open');
    clock += 2000;
    expect(() => b.acquire()).toThrow(CircuitOpenError);
    try {
      b.acquire();
    } catch (err) {
      expect((err as CircuitOpenError).retryInMs).toBe(3000);
    }
  });

  it('half-opens after the cooldown with a single trial; success closes', () => {
    const b = breaker(1, 1000);
    b.failure(b.acquire());
    clock += 1000;
    const permit = b.acquire();
    expect(permit).toBe('trial');
    expect(b.state).toBe('half_open');
    expect(() => b.acquire()).toThrow(CircuitOpenError);
    b.success(permit);
    expect(b.state).toBe('closed');
    expect(b.acquire()).toBe('normal');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
  });

  it('re-opens when the trial fails and waits a full cooldown again', () => {
    const b = breaker(1, 1000);
    b.failure(b.acquire());
    clock += 1500;
    b.failure(b.acquire());
    expect(b.state).toBe('open');
    clock += 999;
    expect(() => b.acquire()).toThrow(CircuitOpenError);
    clock += 1;
    expect(b.acquire()).toBe('trial');
  });

  it('keeps the circuit open when a call that started earlier fails late', () => {
    const b = breaker(1, 1000);
    const early = b.acquire();
    b.failure(b.acquire());
    clock += 800;
    b.failure(early);
    clock += 500;
    expect(() => b.acquire()).toThrow(CircuitOpenError);
  });
});
