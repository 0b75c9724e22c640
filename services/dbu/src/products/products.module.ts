import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module';
import { HistoryModule } from '../history/history.module';
import { LicensesModule } from '../licenses/licenses.module';
import { ManufacturersModule } from '../manufacturers/manufacturers.module';
import { ProductAdminService } from './product-admin.service';
import { ProductController } from './product.controller';
import { ProductRepository } from './product.repository';
import { ProductService } from './product.service';

/** Products: the reads every caller makes, and the admins' writes (recorded in the history). */
@Module({
  imports: [HistoryModule, LicensesModule, CategoriesModule, ManufacturersModule],
  controllers: [ProductController],
  providers: [ProductRepository, ProductService, ProductAdminService],
  exports: [ProductRepository],
})
export class ProductsModule {}
