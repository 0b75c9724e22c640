import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Endpoint } from '@pjs/http';
import { IdempotencyHeaders, IdempotencyResponses, IdempotentWrites } from '@pjs/idempotency';
import {
  ConfirmItemSchema,
  ConfirmResultSchema,
  DbuSearchResultSchema,
  QueryDbuItemSchema,
  type ConfirmItemBody,
  type QueryDbuItemBody,
} from './dbu-items.schemas';
import { DbuItemsService, type ConfirmResult, type DbuSearchHit } from './dbu-items.service';

const DBU_FAILURES = {
  502: 'DBU unreachable, failing or refusing our credentials (`dbu_*` codes)',
  504: 'DBU did not answer within DBU_TIMEOUT (`dbu_timeout`)',
} as const;

/** Routes that read DBU live: search the catalogue, take a product into the inventory. */
@ApiTags('dbu')
@Controller('api')
export class DbuItemsController {
  constructor(
    private readonly dbuItems: DbuItemsService,
    private readonly writes: IdempotentWrites,
  ) {}

  @Post('query-dbu-item')
  @HttpCode(200)
  @Endpoint({
    summary: 'Search DBU by title (item number and EAN match too)',
    body: QueryDbuItemSchema,
    responses: { 200: DbuSearchResultSchema, ...DBU_FAILURES },
  })
  query(@Body() body: QueryDbuItemBody): Promise<{ count: number; results: DbuSearchHit[] }> {
    return this.dbuItems.search(body.title, body.limit);
  }

  @Post('confirm-item')
  @Endpoint({
    summary: 'Import a product from DBU: creates the item (quantity 0) if missing and stores its details',
    body: ConfirmItemSchema,
    headers: IdempotencyHeaders,
    responses: {
      201: { description: 'The item was created', schema: ConfirmResultSchema },
      200: { description: 'The item existed; its details were updated', schema: ConfirmResultSchema },
      404: 'DBU has no product with this number',
      ...DBU_FAILURES,
      ...IdempotencyResponses,
    },
  })
  confirm(
    @Body() body: ConfirmItemBody,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConfirmResult> {
    return this.writes.answer(request, reply, async (tx) => {
      const result = await this.dbuItems.confirm(body.product_no, tx);
      reply.code(result.item_created ? 201 : 200);
      return result;
    });
  }
}
