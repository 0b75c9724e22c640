import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ThrottleOptions {
  /** Failures allowed per (address, username) in a window. */
  maxPerUser: number;
  /** Failures allowed per address (all usernames) in a window. */
  maxPerIp: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { maxPerUser: 5, maxPerIp: 20, windowMs: 15 * 60_000 };
export const LOGIN_THROTTLE_OPTIONS = Symbol('LOGIN_THROTTLE_OPTIONS');

/**
 * Counts failed logins per address and per (address, username) in PostgreSQL, so the limit holds
 * across processes and replicas. An attempt is counted *before* the password is checked, in one
 * atomic statement: of fifty parallel guesses only the allowed number reach the (slow) hash; a
 * correct password gives its count back. Windows are fixed (`windowMs` long); old ones are
 * deleted as new ones are written.
 */
@Injectable()
export class LoginThrottle {
  private readonly options: ThrottleOptions;
  private lastSweep = 0;

  constructor(
    private readonly db: DataSource,
    @Optional() @Inject(LOGIN_THROTTLE_OPTIONS) options?: ThrottleOptions,
  ) {
    this.options = options ?? DEFAULT_THROTTLE;
  }

  /** Counts an attempt; answers 0 when it may go on, else the seconds until the window ends. */
  async reserve(ip: string, username: string): Promise<number> {
    const { ipKey, userKey } = keys(ip, username);
    const rows = await this.db.query<{ key: string; attempts: number; wait_s: number }[]>(
      `WITH w AS (
         SELECT to_timestamp(floor(extract(epoch FROM now()) * 1000 / $2) * $2 / 1000) AS start
       )
       INSERT INTO auth_login_throttle AS t (key, window_start, attempts)
       SELECT k, w.start, 1 FROM w, unnest($1::text[]) AS k
       ON CONFLICT (key, window_start) DO UPDATE SET attempts = t.attempts + 1
       RETURNING key, attempts,
         ceil(extract(epoch FROM (window_start + $2 * interval '1 millisecond' - now())))::int AS wait_s`,
      [[ipKey, userKey], this.options.windowMs],
    );
    void this.sweep();
    const over = rows.some((r) => r.attempts > (r.key === ipKey ? this.options.maxPerIp : this.options.maxPerUser));
    return over ? Math.max(1, ...rows.map((r) => r.wait_s)) : 0;
  }

  /** A correct password: its attempt was not a failure, and the (address, username) count starts over. */
  async release(ip: string, username: string): Promise<void> {
    const { ipKey, userKey } = keys(ip, username);
    await this.db.query(
      `WITH gone AS (DELETE FROM auth_login_throttle WHERE key = $2)
       UPDATE auth_login_throttle SET attempts = greatest(attempts - 1, 0)
        WHERE key = $1 AND window_start = (SELECT max(window_start) FROM auth_login_throttle WHERE key = $1)`,
      [ipKey, userKey],
    );
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < this.options.windowMs) return;
    this.lastSweep = now;
    await this.db
      .query(`DELETE FROM auth_login_throttle WHERE window_start < now() - $1 * interval '2 millisecond'`, [
        this.options.windowMs,
      ])
      .catch(() => undefined);
  }
}

function keys(ip: string, username: string): { ipKey: string; userKey: string } {
  return { ipKey: `ip:${ip}`, userKey: `user:${ip}:${username.toLowerCase()}` };
}
