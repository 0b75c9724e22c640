import { Module } from '@nestjs/common';
import { ProductHistoryRepository } from './product-history.repository';

/**
 * The product history writer/reader, for the web app and the worker alike (no controllers here;
 * the history route lives in ProductsModule). Needs the global DataSource provider.
 */
@Module({
  providers: [ProductHistoryRepository],
  exports: [ProductHistoryRepository],
})
export class HistoryModule {}
