import { Controller, Get, Header } from '@nestjs/common';
import { Endpoint, Nullable, Type } from '@pjs/http';
import { STATUS_PAGE_CSP, renderStatusPage } from './status-page';
import { StatusService, type StatusReport } from './status.service';

const StatusReportSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]),
    checked_at: Type.String({ format: 'date-time' }),
    targets: Type.Array(
      Type.Object({
        name: Type.String(),
        up: Type.Boolean(),
        status_code: Nullable(Type.Integer()),
        latency_ms: Type.Integer(),
        detail: Type.String(),
      }),
    ),
  },
  { title: 'StatusReport' },
);

@Controller()
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get('status')
  @Header('Cache-Control', 'no-store')
  @Endpoint({
    summary: 'Every target probed (concurrently, one timeout at most; a report is reused for a few seconds)',
    responses: { 200: StatusReportSchema },
  })
  check(): Promise<StatusReport> {
    return this.status.check();
  }

  @Get(['', 'status.html'])
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', STATUS_PAGE_CSP)
  @Header('Cache-Control', 'no-store')
  @Endpoint({ summary: 'The status page for people', produces: ['text/html'], responses: { 200: Type.String() } })
  async page(): Promise<string> {
    return renderStatusPage(await this.status.check());
  }
}
