import { Module } from '@nestjs/common';
import { OrdersRepository } from './orders.repository';

/** Orders and their lines (written by receiving, read by the stock routes' `order_id`). */
@Module({
  providers: [OrdersRepository],
  exports: [OrdersRepository],
})
export class OrdersModule {}
