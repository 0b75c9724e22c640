import { Controller, Get, Header, Inject, Optional, SetMetadata } from '@nestjs/common';
import { registry } from './registry';

/** Same key as `@Public()` in @pjs/auth, so the deny-by-default guard lets scrapers in. */
export const IS_PUBLIC_KEY = 'pjs:isPublic';
export const METRICS_BEFORE_SCRAPE = Symbol('METRICS_BEFORE_SCRAPE');

/** Refreshes gauges that are read from the database just before a scrape. */
export type BeforeScrape = () => Promise<void>;

@Controller()
export class MetricsController {
  constructor(@Optional() @Inject(METRICS_BEFORE_SCRAPE) private readonly beforeScrape?: BeforeScrape) {}

  @Get(['metrics', 'metrics/'])
  @SetMetadata(IS_PUBLIC_KEY, true)
  @Header('Content-Type', registry.contentType)
  @Header('Cache-Control', 'no-store')
  async metrics(): Promise<string> {
    if (this.beforeScrape) await this.beforeScrape().catch(() => undefined);
    return registry.metrics();
  }
}
