import { Controller, Get, Inject, Res, SetMetadata } from '@nestjs/common';
import type { Response } from 'express';

/** Same key as `@Public()` in @pjs/auth (http sits below auth, so it cannot import it). */
const IS_PUBLIC_KEY = 'pjs:isPublic';
export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export interface HealthOptions {
  service: string;
  /** Each check answers up (true) or down; `critical` ones turn the answer into 503. */
  checks: Record<string, () => boolean | Promise<boolean>>;
  critical: readonly string[];
}

/**
 * `GET /health/`: liveness plus each dependency's state. `ok` when all are up, `degraded` when only
 * non-critical ones are down (200), `down` with 503 when a critical one (the database) is down.
 */
@Controller()
@SetMetadata(IS_PUBLIC_KEY, true)
export class HealthController {
  constructor(@Inject(HEALTH_OPTIONS) private readonly options: HealthOptions) {}

  @Get(['health', 'health/'])
  async health(@Res({ passthrough: true }) res: Response): Promise<Record<string, string>> {
    const names = Object.keys(this.options.checks);
    const results = await Promise.all(
      names.map(async (name) => {
        try {
          return await this.options.checks[name]();
        } catch {
          return false;
        }
      }),
    );
    const state = Object.fromEntries(names.map((name, i) => [name, results[i] ? 'up' : 'down']));
    const criticalDown = this.options.critical.some((name) => state[name] !== 'up');
    const anyDown = results.some((up) => !up);
    if (criticalDown) res.status(503);
    return { status: criticalDown ? 'down' : anyDown ? 'degraded' : 'ok', service: this.options.service, ...state };
  }
}
