import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import type { Logger } from '@pjs/logger';
import { EnvelopePublisher, type OutboxRelayOptions } from '@pjs/messaging';
import { APP_LOGGER } from '../catalogue/app-logger';
import { OutboxRelayService } from './outbox-relay.service';

/** The process's outbox relay (dbu-web and dbu-worker), available to every module. */
@Module({})
export class OutboxRelayModule {
  static forRoot(options: OutboxRelayOptions = {}): DynamicModule {
    return {
      module: OutboxRelayModule,
      global: true,
      providers: [
        {
          provide: OutboxRelayService,
          inject: [DataSource, EnvelopePublisher, APP_LOGGER],
          useFactory: (db: DataSource, publisher: EnvelopePublisher, logger: Logger) =>
            new OutboxRelayService(db, publisher, logger, options),
        },
      ],
      exports: [OutboxRelayService],
    };
  }
}
