import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { StockRepository } from './stock.repository';
import { StockService } from './stock.service';

/** Stock changes on single items and the ledger; StockController (web only) sits on top. */
@Module({
  imports: [OrdersModule],
  providers: [StockService, StockRepository],
  exports: [StockService, StockRepository],
})
export class StockModule {}
