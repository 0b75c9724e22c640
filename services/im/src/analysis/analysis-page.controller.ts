import { Controller, Get, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/** Where the payments analysis lives now: a page of the staff admin (same session login). */
export const ADMIN_ANALYSIS_URL = '/admin/#/analysis';

/**
 * `/analysis/`, the old address of the upcoming-payments page (which had a token login of its
 * own): bookmarks land on the admin's page. The data stays at `/api/analysis/upcoming-payments/`.
 */
@ApiExcludeController()
@Controller('analysis')
export class AnalysisPageController {
  @Get()
  @Redirect(ADMIN_ANALYSIS_URL, 302)
  page(): void {}
}
