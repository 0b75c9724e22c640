import { Module } from '@nestjs/common';
import { DBU_CONFIG } from '../config/dbu-config';
import { safeFetchProvider } from '../shared/safe-fetch.provider';
import { CATEGORIES_SYNC_OPTIONS, categoriesSyncOptions } from './categories-sync.options';
import { CategoriesSyncService } from './categories-sync.service';

/** The wholesaler's category tree read from WHOLESALER_CATEGORIES_URL (the worker and the CLI). */
@Module({
  providers: [
    { provide: CATEGORIES_SYNC_OPTIONS, inject: [DBU_CONFIG], useFactory: categoriesSyncOptions },
    safeFetchProvider,
    CategoriesSyncService,
  ],
  exports: [CATEGORIES_SYNC_OPTIONS, CategoriesSyncService],
})
export class CategoriesSyncModule {}
