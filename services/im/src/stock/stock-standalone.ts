import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DatabaseModule, type DataSource } from '@pjs/database';
import { StockModule } from './stock.module';
import { StockService } from './stock.service';

@Module({})
class StandaloneStockModule {
  static forDataSource(dataSource: DataSource): DynamicModule {
    return { module: StandaloneStockModule, imports: [DatabaseModule.forDataSource(dataSource), StockModule] };
  }
}

/**
 * StockService on a connected data source, without HTTP, config or broker (bench/im-stock measures
 * it against raw SQL). Built by Nest like everywhere else; `close` leaves the data source open.
 */
export async function createStockService(
  dataSource: DataSource,
): Promise<{ stock: StockService; close(): Promise<void> }> {
  const context = await NestFactory.createApplicationContext(StandaloneStockModule.forDataSource(dataSource), {
    logger: false,
  });
  return { stock: context.get(StockService), close: () => context.close() };
}
