import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, type DataSource } from '@pjs/database';
import { LoggerModule, type Logger } from '@pjs/logger';
import { MessagingModule } from '@pjs/messaging';
import type { ImConfig } from '../config/im-config';
import { IM_CONFIG } from './core.tokens';

export interface CoreOptions {
  config: ImConfig;
  /** Already connected (and, for services, checked to be migrated) by connectIm. */
  dataSource: DataSource;
  logger: Logger;
}

export interface BrokerOptions {
  /** The worker waits for the broker at start-up; the web app connects in the background. */
  waitForConnection: boolean;
  prefetch?: number;
}

/**
 * What every IM process shares, for every module of the app: the settings (IM_CONFIG), the logger
 * (LOGGER), the database (DataSource) and, when the process talks to RabbitMQ, the broker
 * connection and the envelope publisher. Feature modules derive their option tokens from IM_CONFIG.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: CoreOptions, broker?: BrokerOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        DatabaseModule.forDataSource(options.dataSource),
        LoggerModule.forRoot(options.logger),
        ...(broker ? [MessagingModule.forRoot({ url: options.config.RABBITMQ_URL, ...broker })] : []),
      ],
      providers: [{ provide: IM_CONFIG, useValue: options.config }],
      exports: [IM_CONFIG],
    };
  }
}
