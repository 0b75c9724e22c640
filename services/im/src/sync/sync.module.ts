import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@pjs/logger';
import type { ImConfig } from '../config/im-config';
import { DbuClient } from '../dbu-client/dbu-client';
import { ItemDetailsRepository } from './item-details.repository';
import { SyncService } from './sync.service';
import { IM_LOGGER, SYNC_OPTIONS } from './sync.tokens';

/**
 * The DBU client and the sync service, shared by im-web (confirm-item, query-dbu-item) and
 * im-worker (consumers). No controllers and no consumers here. Needs the global DataSource.
 */
@Module({})
export class SyncModule {
  static forRoot(config: ImConfig, logger: Logger): DynamicModule {
    return {
      module: SyncModule,
      providers: [
        { provide: IM_LOGGER, useValue: logger },
        { provide: SYNC_OPTIONS, useValue: { batchSize: config.SYNC_BATCH_SIZE } },
        { provide: DbuClient, useFactory: () => DbuClient.fromConfig(config, logger) },
        ItemDetailsRepository,
        SyncService,
      ],
      exports: [IM_LOGGER, DbuClient, ItemDetailsRepository, SyncService],
    };
  }
}
