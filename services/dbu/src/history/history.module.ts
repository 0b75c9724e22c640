import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module';
import { LicensesModule } from '../licenses/licenses.module';
import { ManufacturersModule } from '../manufacturers/manufacturers.module';
import { HistoryController } from './history.controller';
import { ProductHistoryRepository } from './product-history.repository';
import { ProductHistoryService } from './product-history.service';

/**
 * Each product's change history: the writer every product change records through (exported)
 * and `GET /api/products/{item_no}/history/`, which also shows a product as it was at a time.
 */
@Module({
  imports: [LicensesModule, CategoriesModule, ManufacturersModule],
  controllers: [HistoryController],
  providers: [ProductHistoryRepository, ProductHistoryService],
  exports: [ProductHistoryRepository],
})
export class HistoryModule {}
