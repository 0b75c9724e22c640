import { Module } from '@nestjs/common';
import { OrdersRepository } from '../orders/orders.repository';
import { StockRepository } from './stock.repository';
import { StockService } from './stock.service';

/** Stock changes on single items (no controller: the web app registers StockController). */
@Module({
  providers: [StockService, StockRepository, OrdersRepository],
  exports: [StockService, StockRepository],
})
export class StockModule {}
