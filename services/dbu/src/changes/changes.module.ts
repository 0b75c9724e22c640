import { Module } from '@nestjs/common';
import { DBU_CONFIG } from '../config/dbu-config';
import { CHANGES_OPTIONS, changesOptions } from './changes.options';
import { ProductChangeRepository } from './product-change.repository';
import { ProductChangeService } from './product-change.service';

/** The product change log: reading it (the feed), compacting it and expiring old changes. */
@Module({
  providers: [
    { provide: CHANGES_OPTIONS, inject: [DBU_CONFIG], useFactory: changesOptions },
    ProductChangeRepository,
    ProductChangeService,
  ],
  exports: [ProductChangeService],
})
export class ChangesModule {}
