import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Admin, Public } from '@pjs/auth';
import { loadAnalysisAssets } from './analysis-assets';
import { ANALYSIS_PAGE } from './analysis-page';

/** A strict policy: our own scripts only, no inline code, data only from our own API. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `/analysis/`: a static page holding no data (so it needs no token), limited to
 * ADMIN_ALLOWED_IPS. Its script logs in through `/api/token/`, keeps the token in sessionStorage
 * and reads `/api/analysis/upcoming-payments/` with the Authorization header (admin only).
 */
@ApiExcludeController()
@Public()
@Admin()
@Controller('analysis')
export class AnalysisPageController {
  private readonly assets = loadAnalysisAssets();

  @Get(['', '/'])
  page(@Res() res: Response): void {
    res
      .status(200)
      .setHeader('Content-Type', 'text/html; charset=utf-8')
      .setHeader('Content-Security-Policy', CSP)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Referrer-Policy', 'no-referrer')
      .setHeader('Cache-Control', 'no-store')
      .send(ANALYSIS_PAGE);
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    const asset = this.assets.get(name);
    if (!asset) throw new NotFoundException({ code: 'not_found', message: `asset ${name} not found` });
    res
      .status(200)
      .setHeader('Content-Type', asset.contentType)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Cache-Control', 'public, max-age=3600')
      .send(asset.body);
  }
}
