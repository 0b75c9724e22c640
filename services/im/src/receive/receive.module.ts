import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { StockModule } from '../stock/stock.module';
import { ReceiveService } from './receive.service';

/**
 * Receiving orders, shared by im-web (ReceiveController), im-worker's AMQP intake
 * (`im.order.received`) and `pnpm im receive`.
 */
@Module({
  imports: [OrdersModule, StockModule],
  providers: [ReceiveService],
  exports: [ReceiveService],
})
export class ReceiveModule {}
