import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DrainState, Endpoint, Type } from '@pjs/http';

const Health = Type.Object({
  status: Type.Literal('ok'),
  service: Type.String(),
  uptime_s: Type.Integer({ description: 'Seconds since the process started' }),
});

const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  service: Type.String(),
  draining: Type.Boolean(),
});

/** is-web has no dependencies of its own: live while it runs, ready until it starts draining. */
@Controller()
export class HealthController {
  constructor(private readonly drain: DrainState) {}

  @Get('health')
  @Endpoint({ summary: 'Liveness of is-web itself', responses: { 200: Health } })
  health(): { status: 'ok'; service: string; uptime_s: number } {
    return { status: 'ok', service: 'is-web', uptime_s: Math.round(process.uptime()) };
  }

  @Get('health/live')
  @Endpoint({ summary: 'The process runs', responses: { 200: Health } })
  live(): { status: 'ok'; service: string; uptime_s: number } {
    return this.health();
  }

  @Get('health/ready')
  @Endpoint({
    summary: 'is-web can serve (not draining)',
    responses: { 200: Ready, 503: { description: 'Draining', schema: Ready } },
  })
  ready(@Res({ passthrough: true }) reply: FastifyReply): {
    status: 'ready' | 'not_ready';
    service: string;
    draining: boolean;
  } {
    const draining = this.drain.isDraining;
    if (draining) reply.code(503);
    return { status: draining ? 'not_ready' : 'ready', service: 'is-web', draining };
  }
}
