import { Module } from '@nestjs/common';
import { InventoryRepository } from './inventory.repository';

/** The inventory listing (GET /api/inventory/). */
@Module({
  providers: [InventoryRepository],
  exports: [InventoryRepository],
})
export class InventoryModule {}
