import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, type Principal } from '@pjs/auth';
import { ApiException } from '@pjs/http';
import type { OrderView } from '../orders/order.types';
import { OrderValidationError } from './receive.schema';
import { ReceiveService } from './receive.service';

const EXAMPLE = {
  order_number: '1234',
  items: [
    { item_no: 'ABC-001', title: 'Widget', price: '12.50', discount: '5%', quantity: '2', uom: 'stk', total: '25.00' },
  ],
};

@ApiTags('orders')
@ApiSecurity('token')
@Controller('api')
export class ReceiveController {
  constructor(private readonly receiving: ReceiveService) {}

  @Post(['receive', 'receive/'])
  @HttpCode(201)
  @ApiOperation({
    summary: 'Receive a supplier order',
    description:
      'Creates the order, its lines and missing items and books receive movements in one transaction. ' +
      'Numbers may be strings; `discount` is a percentage ("5%") or an amount in EUR off the whole line. ' +
      'The same order_number again answers 200 with the existing order and changes nothing.',
  })
  @ApiBody({ schema: { type: 'object', example: EXAMPLE } })
  @ApiResponse({ status: 201, description: '{"status": "created"}' })
  @ApiResponse({ status: 200, description: '{"status": "exists", "order": {...}}: the order number was known' })
  @ApiResponse({ status: 400, description: 'validation_failed, naming the field (items.0.quantity)' })
  async receive(
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ status: 'created' } | { status: 'exists'; order: OrderView }> {
    try {
      const result = await this.receiving.receive(body, {
        name: principal.username,
        tokenId: principal.tokenId,
        source: 'http',
      });
      if (result.created) return { status: 'created' };
      res.status(200);
      return { status: 'exists', order: result.order };
    } catch (err) {
      if (err instanceof OrderValidationError) {
        throw new ApiException(400, 'validation_failed', err.message, err.errors);
      }
      throw err;
    }
  }
}
