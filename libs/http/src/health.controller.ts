import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DrainState } from './drain';
import { Endpoint } from './endpoint.decorator';
import { Type } from './schema/types';

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

type Check = () => boolean | Promise<boolean>;

export interface HealthOptions {
  service: string;
  /** Each check answers up (true) or down; `critical` ones turn the answer into 503. */
  checks: Record<string, Check>;
  critical: readonly string[];
  /** What only readiness needs besides the critical checks (e.g. the migrations are current). */
  readiness?: Record<string, Check>;
}

const HealthReport = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]),
    service: Type.String(),
  },
  { additionalProperties: Type.String({ description: 'Each dependency: up or down' }) },
);

const LiveReport = Type.Object({ status: Type.Literal('ok'), service: Type.String() });

const ReadyReport = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
    service: Type.String(),
    draining: Type.Boolean(),
  },
  { additionalProperties: Type.String({ description: 'Each condition of readiness: up or down' }) },
);

async function evaluate(checks: Record<string, Check>): Promise<Record<string, 'up' | 'down'>> {
  const names = Object.keys(checks);
  const results = await Promise.all(
    names.map(async (name) => {
      try {
        return await checks[name]();
      } catch {
        return false;
      }
    }),
  );
  return Object.fromEntries(names.map((name, i) => [name, results[i] ? 'up' : 'down']));
}

/**
 * The probes. `GET /health/`: each dependency's state — `ok`, `degraded` when only non-critical
 * ones are down (200), `down` with 503 when a critical one (the database) is down.
 * `GET /health/live`: the process runs (restart it when this fails). `GET /health/ready`: it can
 * serve — critical dependencies up, readiness conditions met, not draining — else 503 (send no
 * traffic, but do not restart).
 */
@Controller()
export class HealthController {
  constructor(
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    private readonly drain: DrainState,
  ) {}

  @Get('health')
  @Endpoint({
    summary: 'Liveness and the state of each dependency',
    responses: { 200: HealthReport, 503: { description: 'A critical dependency is down', schema: HealthReport } },
  })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, string>> {
    const state = await evaluate(this.options.checks);
    const criticalDown = this.options.critical.some((name) => state[name] !== 'up');
    const anyDown = Object.values(state).includes('down');
    if (criticalDown) reply.code(503);
    return { status: criticalDown ? 'down' : anyDown ? 'degraded' : 'ok', service: this.options.service, ...state };
  }

  @Get('health/live')
  @Endpoint({ summary: 'The process runs (restart it when this fails)', responses: { 200: LiveReport } })
  live(): { status: 'ok'; service: string } {
    return { status: 'ok', service: this.options.service };
  }

  @Get('health/ready')
  @Endpoint({
    summary: 'The process can serve: dependencies up, schema current, not draining',
    responses: { 200: ReadyReport, 503: { description: 'Not ready: send no traffic', schema: ReadyReport } },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, string | boolean>> {
    const critical = Object.fromEntries(this.options.critical.map((name) => [name, this.options.checks[name]]));
    const state = await evaluate({ ...critical, ...this.options.readiness });
    const draining = this.drain.isDraining;
    const ready = !draining && !Object.values(state).includes('down');
    if (!ready) reply.code(503);
    return { status: ready ? 'ready' : 'not_ready', service: this.options.service, draining, ...state };
  }
}
