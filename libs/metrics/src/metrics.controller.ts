import { Controller, Get, Header, Inject, Optional } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { registry } from './registry';

export const METRICS_BEFORE_SCRAPE = Symbol('METRICS_BEFORE_SCRAPE');

/** Refreshes gauges that are read from the database just before a scrape. */
export type BeforeScrape = () => Promise<void>;

/** `GET /metrics/`: the process's registry in Prometheus text format. */
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(@Optional() @Inject(METRICS_BEFORE_SCRAPE) private readonly beforeScrape?: BeforeScrape) {}

  @Get('metrics')
  @Header('Content-Type', registry.contentType)
  @Header('Cache-Control', 'no-store')
  async metrics(): Promise<string> {
    if (this.beforeScrape) await this.beforeScrape().catch(() => undefined);
    return registry.metrics();
  }
}
