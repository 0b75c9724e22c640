import { Module } from '@nestjs/common';
import { DbuClientModule } from '../dbu-client/dbu-client.module';
import { ItemDetailsModule } from '../item-details/item-details.module';
import { DbuItemsRepository } from './dbu-items.repository';
import { DbuItemsService } from './dbu-items.service';

/** query-dbu-item and confirm-item: DBU read live, taken into the inventory. */
@Module({
  imports: [DbuClientModule, ItemDetailsModule],
  providers: [DbuItemsService, DbuItemsRepository],
  exports: [DbuItemsService],
})
export class DbuItemsModule {}
