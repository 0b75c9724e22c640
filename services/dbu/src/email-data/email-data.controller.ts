import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Endpoint, type Principal } from '@pjs/http';
import { IdempotencyHeaders, IdempotencyResponses, IdempotentWrites } from '@pjs/idempotency';
import { type EmailDataBody, EmailDataBodySchema, EmailDataResult } from './email-data.schemas';
import { EmailDataService, type EmailDataResult as Result } from './email-data.service';

/** `POST /api/email-data/`: discounts from order e-mails (MailBot). */
@ApiTags('email-data')
@Controller('api/email-data')
export class EmailDataController {
  constructor(
    private readonly emailData: EmailDataService,
    private readonly writes: IdempotentWrites,
  ) {}

  @Post()
  @HttpCode(200)
  @Endpoint({
    summary: 'Set product discounts from an order e-mail; answers applied / skipped counts',
    body: EmailDataBodySchema,
    headers: IdempotencyHeaders,
    responses: {
      200: EmailDataResult,
      400: 'order_number or items missing / malformed',
      413: 'Larger than BODY_LIMIT',
      ...IdempotencyResponses,
    },
  })
  apply(
    @Body() body: EmailDataBody,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Result> {
    return this.writes.answer(request, reply, (tx) => this.emailData.apply(body, principal, tx));
  }
}
