import { Controller, Get, Header, SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY } from '@pjs/metrics';
import { renderStatusPage } from './status-page';
import { StatusService, type StatusReport } from './status.service';

@Controller()
@SetMetadata(IS_PUBLIC_KEY, true)
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get(['status', 'status/'])
  @Header('Cache-Control', 'no-store')
  check(): Promise<StatusReport> {
    return this.status.check();
  }

  @Get(['', 'status.html'])
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async page(): Promise<string> {
    return renderStatusPage(await this.status.check());
  }
}
