import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Admin } from '@pjs/auth';
import { AnalysisRepository, toCsv, type UpcomingPayments } from './analysis.repository';
import { UpcomingPaymentsQueryDto } from './dto/upcoming-payments-query.dto';

/** The data behind `/analysis/` (admin token required). */
@ApiTags('analysis')
@ApiSecurity('token')
@Admin()
@Controller('api/analysis')
export class AnalysisController {
  constructor(private readonly analysis: AnalysisRepository) {}

  @Get(['upcoming-payments', 'upcoming-payments/'])
  @Header('Cache-Control', 'no-store')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'Upcoming payments per DBU release month',
    description:
      'Open pre-order lines: order lines of live items whose DBU release date is in the `from` month (default: ' +
      'the current month) or later. Amount = price × quantity − discount, grouped by release month. ' +
      'Lines without a release date are reported as `unscheduled`. `?format=csv` answers text/csv.',
  })
  async upcomingPayments(
    @Query() query: UpcomingPaymentsQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UpcomingPayments | string> {
    const report = await this.analysis.upcomingPayments(query.from);
    if (query.format !== 'csv') return report;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="upcoming-payments-${report.from}.csv"`);
    return toCsv(report);
  }
}
