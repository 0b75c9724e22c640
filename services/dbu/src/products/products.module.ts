import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module';
import { HistoryController } from '../history/history.controller';
import { HistoryModule } from '../history/history.module';
import { ProductHistoryService } from '../history/product-history.service';
import { LicensesModule } from '../licenses/licenses.module';
import { ManufacturerRepository } from './manufacturer.repository';
import { ProductAdminService } from './product-admin.service';
import { ProductController } from './product.controller';
import { ProductRepository } from './product.repository';
import { ProductService } from './product.service';

/** Products: reads, admin writes and each product's history. */
@Module({
  imports: [HistoryModule, LicensesModule, CategoriesModule],
  controllers: [ProductController, HistoryController],
  providers: [ProductRepository, ManufacturerRepository, ProductService, ProductAdminService, ProductHistoryService],
  exports: [ProductRepository],
})
export class ProductsModule {}
