import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module';
import { ProductsModule } from '../products/products.module';
import { EmailDataController } from './email-data.controller';
import { EmailDataService } from './email-data.service';
import { EmailDiscountRepository } from './email-discount.repository';

@Module({
  imports: [ProductsModule, HistoryModule],
  controllers: [EmailDataController],
  providers: [EmailDataService, EmailDiscountRepository],
})
export class EmailDataModule {}
