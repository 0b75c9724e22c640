import { Module, type DynamicModule } from '@nestjs/common';
import { createLogger } from '@pjs/logger';
import type { ImConfig } from '../config/im-config';
import { DbuItemsController } from '../dbu-items/dbu-items.controller';
import { DbuItemsRepository } from '../dbu-items/dbu-items.repository';
import { DbuItemsService } from '../dbu-items/dbu-items.service';
import { OutboxRelayHost } from '../signal/outbox-relay.host';
import { SignalController } from '../signal/signal.controller';
import { SignalService } from '../signal/signal.service';
import { SyncModule } from './sync.module';

/**
 * im-web's part of the DBU sync: `POST /api/signal/`, `/api/query-dbu-item/`,
 * `/api/confirm-item/`, and the outbox relay that publishes the queued signals.
 * No consumers here (they live in WorkerModule).
 */
@Module({})
export class SyncWebModule {
  static forRoot(config: ImConfig): DynamicModule {
    const logger = createLogger({ service: 'im-web', process: 'web', level: config.LOG_LEVEL });
    return {
      module: SyncWebModule,
      imports: [SyncModule.forRoot(config, logger)],
      controllers: [SignalController, DbuItemsController],
      providers: [OutboxRelayHost, SignalService, DbuItemsService, DbuItemsRepository],
      exports: [OutboxRelayHost],
    };
  }
}
