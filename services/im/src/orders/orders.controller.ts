import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Endpoint } from '@pjs/http';
import { OrderNotFoundException } from './orders.exception';
import {
  OrderParamsSchema,
  OrderSchema,
  OrdersPageSchema,
  OrdersQuerySchema,
  type OrdersQuery,
} from './orders.schemas';
import { OrdersRepository, type OrdersPage } from './orders.repository';
import type { OrderView } from './order.types';

/** Received orders, read-only (they are written once by receiving and never changed). */
@ApiTags('orders')
@Controller('api/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersRepository) {}

  @Get()
  @Endpoint({
    summary: 'Received orders, newest first, with their line count and net amount',
    query: OrdersQuerySchema,
    responses: { 200: OrdersPageSchema, 400: 'validation_failed, naming the query field' },
  })
  list(@Query() query: OrdersQuery): Promise<OrdersPage> {
    return this.orders.list(query);
  }

  @Get(':order_number')
  @Endpoint({
    summary: 'One received order with its lines',
    params: OrderParamsSchema,
    responses: { 200: OrderSchema, 404: 'order_not_found' },
  })
  async one(@Param('order_number') orderNumber: string): Promise<OrderView> {
    const order = await this.orders.findByNumber(orderNumber.trim());
    if (!order) throw new OrderNotFoundException(orderNumber.trim());
    return order;
  }
}
