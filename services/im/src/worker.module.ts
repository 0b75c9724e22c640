import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, type DataSource } from '@pjs/database';
import type { Logger } from '@pjs/logger';
import { MessagingModule } from '@pjs/messaging';
import type { ImConfig } from './config/im-config';
import { OrderIntakeConsumer } from './intake/order-intake.consumer';
import { ReceiveModule } from './receive/receive.module';
import { OutboxRelayHost } from './signal/outbox-relay.host';
import { SYNC_CONSUMER_OPTIONS, SyncConsumer } from './sync/sync.consumer';
import { SyncModule } from './sync/sync.module';

/**
 * im-worker: the consumers (DBU sync, catalogue updates, order intake) and the outbox relay; no
 * HTTP API (STYLE rule 1). Consumers are started with startConsumer (manual ack, retry queue,
 * dead-letter queue), never discovered from decorators.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: ImConfig, dataSource: DataSource, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        DatabaseModule.forDataSource(dataSource),
        MessagingModule.forRoot({ url: config.RABBITMQ_URL, waitForConnection: true, prefetch: 1 }),
        SyncModule.forRoot(config, logger),
        ReceiveModule,
      ],
      providers: [
        {
          provide: SYNC_CONSUMER_OPTIONS,
          useValue: {
            maxAttempts: config.SYNC_MAX_ATTEMPTS,
            retryDelayMs: config.SYNC_RETRY_DELAY,
            maxDelayMs: config.SYNC_RETRY_MAX_DELAY,
          },
        },
        OutboxRelayHost,
        SyncConsumer,
        OrderIntakeConsumer,
      ],
    };
  }
}
