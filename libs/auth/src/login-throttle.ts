export interface ThrottleOptions {
  /** Failures allowed per (ip, username) in the window. */
  maxPerUser: number;
  /** Failures allowed per ip (all usernames) in the window. */
  maxPerIp: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { maxPerUser: 5, maxPerIp: 20, windowMs: 15 * 60_000 };

/** Counts failed logins per ip and per (ip, username); answers how long a caller must wait. */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Seconds until another attempt is allowed, or 0. */
  retryAfterSeconds(ip: string, username: string): number {
    const now = Date.now();
    const waits = [
      this.wait(`ip:${ip}`, this.options.maxPerIp, now),
      this.wait(`user:${ip}:${username.toLowerCase()}`, this.options.maxPerUser, now),
    ];
    return Math.max(...waits);
  }

  recordFailure(ip: string, username: string): void {
    const now = Date.now();
    for (const key of [`ip:${ip}`, `user:${ip}:${username.toLowerCase()}`]) {
      const list = this.recent(key, now);
      list.push(now);
      this.failures.set(key, list);
    }
    if (this.failures.size > 50_000) this.prune(now);
  }

  recordSuccess(ip: string, username: string): void {
    this.failures.delete(`user:${ip}:${username.toLowerCase()}`);
  }

  private wait(key: string, max: number, now: number): number {
    const list = this.recent(key, now);
    if (list.length < max) return 0;
    return Math.ceil((list[list.length - max] + this.options.windowMs - now) / 1000);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.options.windowMs);
  }

  private prune(now: number): void {
    for (const [key, list] of this.failures) {
      if (!list.some((t) => t > now - this.options.windowMs)) this.failures.delete(key);
    }
  }
}
