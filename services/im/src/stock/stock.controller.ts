import { Body, Controller, Delete, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Admin, CurrentPrincipal, type Principal } from '@pjs/auth';
import { FieldValidationException } from '@pjs/http';
import type { StockChangeResult, StockOperation } from './stock.types';
import { ItemReferenceDto, StockChangeDto } from './dto/stock-change.dto';
import { StockService, type StockAnswer } from './stock.service';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Makes a retry safe: the same key (per user and route) with the same body answers the first result ' +
    'without applying the change again; with a different body it answers 422. Refused requests (4xx) are not stored.',
};

/** Admin stock changes; controllers only translate HTTP (StockService holds the rules). */
@ApiTags('stock')
@ApiSecurity('token')
@Admin()
@Controller('api')
export class StockController {
  constructor(private readonly stock: StockService) {}

  @Post(['add-stock', 'add-stock/'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Add stock to an item' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiResponse({ status: 404, description: 'unknown or deleted item' })
  add(
    @Body() body: StockChangeDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StockChangeResult> {
    return this.run('add', body.item_no, body, principal, key, res);
  }

  @Post(['reduce-stock', 'reduce-stock/'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Reduce the stock of an item; 409 instead of going below zero' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiResponse({ status: 409, description: 'insufficient_stock: nothing was changed' })
  reduce(
    @Body() body: StockChangeDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StockChangeResult> {
    return this.run('reduce', body.item_no, body, principal, key, res);
  }

  @Delete(['delete-item', 'delete-item/'])
  @HttpCode(200)
  @ApiOperation({
    summary: 'Soft-delete an item',
    description: 'The item leaves the inventory; its quantity and history are kept (restore-item brings it back).',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiQuery({ name: 'item_no', required: false, description: 'instead of the body' })
  delete(
    @Body() body: ItemReferenceDto,
    @Query('item_no') itemNoQuery: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StockChangeResult> {
    return this.run('delete', requireItemNo(body, itemNoQuery), body, principal, key, res);
  }

  @Post(['restore-item', 'restore-item/'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Restore a soft-deleted item' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiResponse({ status: 409, description: 'item_not_deleted' })
  restore(
    @Body() body: ItemReferenceDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StockChangeResult> {
    return this.run('restore', requireItemNo(body, undefined), body, principal, key, res);
  }

  private async run(
    operation: StockOperation,
    itemNo: string,
    body: { amount?: number; order_id?: string; reason?: string },
    principal: Principal,
    key: string | undefined,
    res: Response,
  ): Promise<StockChangeResult> {
    const answer: StockAnswer = await this.stock.change(
      operation,
      { itemNo, amount: body.amount, orderNumber: body.order_id, reason: body.reason },
      { name: principal.username, tokenId: principal.tokenId },
      key,
    );
    if (answer.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return { item_no: answer.item_no, quantity: answer.quantity, movement: answer.movement };
  }
}

function requireItemNo(body: ItemReferenceDto, fromQuery: string | undefined): string {
  const itemNo = body.item_no ?? fromQuery?.trim();
  if (!itemNo) throw new FieldValidationException('item_no', 'is required');
  if (itemNo.length > 64) throw new FieldValidationException('item_no', 'must be at most 64 characters');
  return itemNo;
}
