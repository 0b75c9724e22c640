import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Endpoint } from '@pjs/http';
import { UpcomingPaymentsQuerySchema, UpcomingPaymentsSchema, type UpcomingPaymentsQuery } from './analysis.schemas';
import { AnalysisRepository, toCsv, type UpcomingPayments } from './analysis.repository';

/** The data behind `/analysis/`. */
@ApiTags('analysis')
@Controller('api/analysis')
export class AnalysisController {
  constructor(private readonly analysis: AnalysisRepository) {}

  @Get('upcoming-payments')
  @Header('Cache-Control', 'no-store')
  @Endpoint({
    summary: 'Upcoming payments per DBU release month',
    description:
      'Open pre-order lines: order lines of live items whose DBU release date is in the `from` month (default: ' +
      'the current month) or later. Amount = price × quantity − discount, grouped by release month. ' +
      'Lines without a release date are reported as `unscheduled`. `?format=csv` answers text/csv ' +
      '(`month,amount,lines,quantity`).',
    query: UpcomingPaymentsQuerySchema,
    produces: ['application/json', 'text/csv'],
    responses: { 200: UpcomingPaymentsSchema, 400: 'validation_failed (format, from)' },
  })
  async upcomingPayments(
    @Query() query: UpcomingPaymentsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UpcomingPayments | string> {
    const report = await this.analysis.upcomingPayments(query.from);
    if (query.format !== 'csv') return report;
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="upcoming-payments-${report.from}.csv"`);
    return toCsv(report);
  }
}
