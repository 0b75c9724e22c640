import { SlidingWindowLimiter } from './sliding-window';

describe(SlidingWindowLimiter.name, () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000 * 60_000; // the start of a window
  });

  it('allows up to the limit within a window, then asks to wait', () => {
    const limiter = new SlidingWindowLimiter(3, 60_000, clock);
    expect([limiter.hit('a'), limiter.hit('a'), limiter.hit('a')]).toEqual([0, 0, 0]);
    // Next window the 3 still weigh 3 × (1 − t/60 s); one more fits once that is ≤ 2: 60 s + 20 s.
    expect(limiter.hit('a')).toBe(80);
    expect(limiter.hit('b')).toBe(0);
  });

  it('slides: the previous window counts in proportion to its overlap', () => {
    const limiter = new SlidingWindowLimiter(4, 60_000, clock);
    for (let i = 0; i < 4; i++) limiter.hit('a');
    now += 60_000 + 15_000; // 25 % into the next window: the previous 4 still weigh 3
    expect(limiter.hit('a')).toBe(0); // 3 + 0 + 1 ≤ 4
    const wait = limiter.hit('a'); // 3 + 1 + 1 > 4
    expect(wait).toBe(15); // after 15 s the previous window weighs 2
    now += wait * 1000;
    expect(limiter.hit('a')).toBe(0);
  });

  it('forgets idle keys after two windows', () => {
    const limiter = new SlidingWindowLimiter(1, 1_000, clock);
    limiter.hit('a');
    expect(limiter.hit('a')).toBeGreaterThanOrEqual(1);
    now += 2_500;
    expect(limiter.hit('b')).toBe(0);
    expect(limiter.size).toBe(1);
    expect(limiter.hit('a')).toBe(0);
  });

  it('is disabled with a limit of 0', () => {
    const limiter = new SlidingWindowLimiter(0, 60_000, clock);
    for (let i = 0; i < 100; i++) expect(limiter.hit('a')).toBe(0);
  });
});
