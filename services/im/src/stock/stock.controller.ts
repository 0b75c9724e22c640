import { Controller, Delete, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Endpoint, FieldValidationException, type Principal } from '@pjs/http';
import { IDEMPOTENCY_HEADER, IdempotencyHeaders, IdempotencyResponses, IdempotentWrites } from '@pjs/idempotency';
import {
  ItemNumberQuerySchema,
  ItemReferenceSchema,
  StockChangeResultSchema,
  StockChangeSchema,
  type ItemReferenceBody,
  type StockChangeBody,
} from './stock.schemas';
import { stockMetrics } from './stock.metrics';
import { StockService } from './stock.service';
import type { StockChangeResult, StockOperation } from './stock.types';

/**
 * The request as the route's schemas left it. The handlers take it whole (one parameter instead of
 * body, principal and header decorators): these are IM's hottest routes, and each Nest parameter
 * decorator costs a few promises per request.
 */
type StockChangeRequest<B> = FastifyRequest<{ Body: B; Querystring: { item_no?: string } }>;

function callerOf(request: FastifyRequest): Principal {
  return request.principal!; // the access check admitted the request with a principal
}

const REFUSALS = {
  400: 'validation_failed, naming the field (an unknown order_id too)',
  404: 'item_not_found: unknown or deleted item',
  ...IdempotencyResponses,
} as const;

/** Stock changes on one item; StockService holds the rules, this only translates HTTP. */
@ApiTags('stock')
@Controller('api')
export class StockController {
  constructor(
    private readonly stock: StockService,
    private readonly writes: IdempotentWrites,
  ) {}

  @Post('add-stock')
  @HttpCode(200)
  @Endpoint({
    summary: 'Add stock to an item',
    body: StockChangeSchema,
    headers: IdempotencyHeaders,
    responses: { 200: StockChangeResultSchema, ...REFUSALS },
  })
  add(
    @Req() request: StockChangeRequest<StockChangeBody>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StockChangeResult> {
    return this.run('add', request.body.item_no, request.body, request, reply);
  }

  @Post('reduce-stock')
  @HttpCode(200)
  @Endpoint({
    summary: 'Reduce the stock of an item; 409 instead of going below zero',
    body: StockChangeSchema,
    headers: IdempotencyHeaders,
    responses: {
      200: StockChangeResultSchema,
      ...REFUSALS,
      409: 'insufficient_stock: nothing was changed',
    },
  })
  reduce(
    @Req() request: StockChangeRequest<StockChangeBody>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StockChangeResult> {
    return this.run('reduce', request.body.item_no, request.body, request, reply);
  }

  @Delete('delete-item')
  @HttpCode(200)
  @Endpoint({
    summary: 'Soft-delete an item',
    description: 'The item leaves the inventory; its quantity and history are kept (restore-item brings it back).',
    body: ItemReferenceSchema,
    query: ItemNumberQuerySchema,
    headers: IdempotencyHeaders,
    responses: { 200: StockChangeResultSchema, ...REFUSALS },
  })
  delete(
    @Req() request: StockChangeRequest<ItemReferenceBody>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StockChangeResult> {
    const body = request.body ?? {};
    return this.run('delete', requireItemNo(body.item_no ?? request.query.item_no), body, request, reply);
  }

  @Post('restore-item')
  @HttpCode(200)
  @Endpoint({
    summary: 'Restore a soft-deleted item',
    body: ItemReferenceSchema,
    headers: IdempotencyHeaders,
    responses: { 200: StockChangeResultSchema, ...REFUSALS, 409: 'item_not_deleted' },
  })
  restore(
    @Req() request: StockChangeRequest<ItemReferenceBody>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StockChangeResult> {
    const body = request.body ?? {};
    return this.run('restore', requireItemNo(body.item_no), body, request, reply);
  }

  /**
   * Without an Idempotency-Key the change is one autocommit statement (the hot path, see
   * docs/benchmarks.md); with one, @pjs/idempotency runs it in the key's transaction and replays
   * the stored answer to a retry.
   */
  private async run(
    operation: StockOperation,
    itemNo: string,
    body: { amount?: number; order_id?: string | null; reason?: string | null },
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<StockChangeResult> {
    const principal = callerOf(request);
    const change = {
      itemNo: itemNo.trim(),
      amount: body.amount,
      orderNumber: body.order_id?.trim() || undefined,
      reason: body.reason ?? undefined,
    };
    const actor = { name: principal.username, tokenId: principal.tokenId ?? null };
    if (request.headers[IDEMPOTENCY_HEADER] === undefined) return this.stock.change(operation, change, actor);
    const answer = await this.writes.answer(request, reply, (tx) => this.stock.change(operation, change, actor, tx));
    if (reply.getHeader('idempotent-replayed')) stockMetrics.idempotentReplays.inc({ type: operation });
    return answer;
  }
}

function requireItemNo(itemNo: string | undefined): string {
  if (!itemNo) throw new FieldValidationException('item_no', 'is required');
  return itemNo;
}
