import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, type DataSource } from '@pjs/database';
import { MessagingModule } from '@pjs/messaging';
import type { DbuConfig } from './config/dbu-config';

/** dbu-worker: consumers and jobs only; no HTTP API (STYLE rule 1). */
@Module({})
export class WorkerModule {
  static forRoot(config: DbuConfig, dataSource: DataSource): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        DatabaseModule.forDataSource(dataSource),
        MessagingModule.forRoot({ url: config.RABBITMQ_URL, waitForConnection: true, prefetch: 1 }),
      ],
    };
  }
}
