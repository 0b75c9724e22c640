import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, type DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { MessagingModule } from '@pjs/messaging';
import { DBU_CONFIG, type DbuConfig } from './config/dbu-config';

export interface CoreOptions {
  config: DbuConfig;
  /** Connected by the entry point (connectDbu), so a start-up failure names the database. */
  dataSource: DataSource;
  logger: Logger;
  /** The broker connection, for processes that use one (web: in the background; worker: waited for). */
  broker?: { waitForConnection: boolean; prefetch?: number };
}

/**
 * What every DBU process shares, provided once for all its modules: the validated config
 * (DBU_CONFIG), the logger (LOGGER), the database and, where used, the broker.
 */
@Module({})
export class CoreModule {
  static forRoot({ config, dataSource, logger, broker }: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      imports: [
        DatabaseModule.forDataSource(dataSource),
        ...(broker ? [MessagingModule.forRoot({ url: config.RABBITMQ_URL, ...broker })] : []),
      ],
      providers: [
        { provide: DBU_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [DBU_CONFIG, LOGGER],
    };
  }
}
