import { Module } from '@nestjs/common';
import { ItemsRepository } from './items.repository';

/** One item's ledger (GET /api/items/{item_no}/movements/). */
@Module({
  providers: [ItemsRepository],
  exports: [ItemsRepository],
})
export class ItemsModule {}
