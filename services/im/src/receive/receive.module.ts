import { Module } from '@nestjs/common';
import { OrdersRepository } from '../orders/orders.repository';
import { StockRepository } from '../stock/stock.repository';
import { ReceiveService } from './receive.service';

/**
 * Receiving orders, without any controller: imported by the web app (ReceiveController) and by
 * im-worker's AMQP intake (`im.order.received`). Needs the global DataSource (DatabaseModule).
 */
@Module({
  providers: [ReceiveService, OrdersRepository, StockRepository],
  exports: [ReceiveService, OrdersRepository, StockRepository],
})
export class ReceiveModule {}
