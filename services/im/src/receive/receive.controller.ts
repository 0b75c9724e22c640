import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Endpoint, Obj, Type, validationFailed, type Principal } from '@pjs/http';
import { IdempotencyHeaders, IdempotencyResponses, IdempotentWrites } from '@pjs/idempotency';
import type { OrderView } from '../orders/order.types';
import { OrderSchema } from '../orders/order.schema';
import { OrderValidationError, ReceiveBodySchema, type ReceiveBody } from './receive.schema';
import { ReceiveService } from './receive.service';

export const RECEIVE_ROUTE = '/api/receive';

const Created = Obj({ status: Type.Literal('created') }, { title: 'OrderCreated' });
const Exists = Obj({ status: Type.Literal('exists'), order: OrderSchema }, { title: 'OrderExists' });

@ApiTags('orders')
@Controller('api')
export class ReceiveController {
  constructor(
    private readonly receiving: ReceiveService,
    private readonly writes: IdempotentWrites,
  ) {}

  @Post('receive')
  @HttpCode(201)
  @Endpoint({
    summary: 'Receive a supplier order',
    description:
      'Creates the order, its lines and missing items and books receive movements in one transaction. ' +
      'Numbers may be strings; `discount` is a percentage ("5%") or an amount in EUR off the whole line. ' +
      'The same order_number again answers 200 with the existing order and changes nothing.',
    body: ReceiveBodySchema,
    headers: IdempotencyHeaders,
    responses: {
      201: { description: 'The order was created', schema: Created },
      200: { description: 'The order number was known: the stored order, nothing changed', schema: Exists },
      400: 'validation_failed, naming the field (items.0.quantity)',
      ...IdempotencyResponses,
    },
  })
  async receive(
    @Body() body: ReceiveBody,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ status: 'created' } | { status: 'exists'; order: OrderView }> {
    try {
      return await this.writes.answer(request, reply, async (tx) => {
        const actor = { name: principal.username, tokenId: principal.tokenId ?? null, source: 'http' as const };
        const result = await this.receiving.receive(body, actor, tx);
        if (result.created) return { status: 'created' as const };
        reply.code(200);
        return { status: 'exists' as const, order: result.order };
      });
    } catch (err) {
      if (err instanceof OrderValidationError) throw validationFailed(err.errors);
      throw err;
    }
  }
}
