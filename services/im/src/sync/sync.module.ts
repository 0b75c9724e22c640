import { Module } from '@nestjs/common';
import type { ImConfig } from '../config/im-config';
import { IM_CONFIG } from '../core/core.tokens';
import { DbuClientModule } from '../dbu-client/dbu-client.module';
import { ItemDetailsModule } from '../item-details/item-details.module';
import { CatalogueReconciler } from './catalogue-reconciler';
import { FeedCursorRepository } from './feed-cursor.repository';
import { SyncService } from './sync.service';
import { SYNC_OPTIONS, type SyncOptions } from './sync.tokens';

/**
 * Copying DBU details into item_details (SyncService) and following DBU's changes feed
 * (CatalogueReconciler), for im-worker and `pnpm im sync-missing-details` / `resync-catalogue`. No consumers here: SyncWorkerModule adds them.
 */
@Module({
  imports: [DbuClientModule, ItemDetailsModule],
  providers: [
    {
      provide: SYNC_OPTIONS,
      inject: [IM_CONFIG],
      useFactory: (config: ImConfig): SyncOptions => ({ batchSize: config.SYNC_BATCH_SIZE }),
    },
    SyncService,
    FeedCursorRepository,
    CatalogueReconciler,
  ],
  exports: [SyncService, CatalogueReconciler],
})
export class SyncModule {}
