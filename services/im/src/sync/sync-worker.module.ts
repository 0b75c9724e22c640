import { Module } from '@nestjs/common';
import type { ImConfig } from '../config/im-config';
import { IM_CONFIG } from '../core/core.tokens';
import { RECONCILE_OPTIONS, ReconcileScheduler, type ReconcileOptions } from './reconcile.scheduler';
import { SYNC_CONSUMER_OPTIONS, SyncConsumer, type SyncConsumerOptions } from './sync.consumer';
import { SyncModule } from './sync.module';

/**
 * im-worker's sync consumers (`im.sync.requested`, `dbu.catalogue.imported`) and the schedule of the
 * catalogue reconciler (DBU's changes feed); never in im-web.
 */
@Module({
  imports: [SyncModule],
  providers: [
    {
      provide: SYNC_CONSUMER_OPTIONS,
      inject: [IM_CONFIG],
      useFactory: (config: ImConfig): SyncConsumerOptions => ({
        maxAttempts: config.SYNC_MAX_ATTEMPTS,
        retryDelayMs: config.SYNC_RETRY_DELAY,
        maxDelayMs: config.SYNC_RETRY_MAX_DELAY,
      }),
    },
    SyncConsumer,
    {
      provide: RECONCILE_OPTIONS,
      inject: [IM_CONFIG],
      useFactory: (config: ImConfig): ReconcileOptions => ({ intervalMs: Math.max(1000, config.RECONCILE_INTERVAL) }),
    },
    ReconcileScheduler,
  ],
  exports: [SyncModule],
})
export class SyncWorkerModule {}
