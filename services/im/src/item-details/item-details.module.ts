import { Module } from '@nestjs/common';
import { ItemDetailsRepository } from './item-details.repository';

/** The DBU details IM keeps per item: written by the sync and by confirm-item. */
@Module({
  providers: [ItemDetailsRepository],
  exports: [ItemDetailsRepository],
})
export class ItemDetailsModule {}
