import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@pjs/auth';
import { DatabaseModule, pingDatabase, type DataSource } from '@pjs/database';
import { HEALTH_OPTIONS, HealthController, type HealthOptions } from '@pjs/http';
import { AmqpConnection, isBrokerConnected, MessagingModule } from '@pjs/messaging';
import { MetricsController } from '@pjs/metrics';
import { AnalysisPageController } from './analysis/analysis-page.controller';
import { AnalysisController } from './analysis/analysis.controller';
import { AnalysisRepository } from './analysis/analysis.repository';
import type { ImConfig } from './config/im-config';
import { InventoryController } from './inventory/inventory.controller';
import { InventoryRepository } from './inventory/inventory.repository';
import { ItemsController } from './items/items.controller';
import { ItemsRepository } from './items/items.repository';
import { ReceiveController } from './receive/receive.controller';
import { ReceiveModule } from './receive/receive.module';
import { StockController } from './stock/stock.controller';
import { StockModule } from './stock/stock.module';
import { SyncWebModule } from './sync/sync-web.module';
import { TokenController } from './token/token.controller';

/** im-web: the inventory REST API. Controllers live only here (never in the worker). */
@Module({})
export class ApiModule {
  static forRoot(config: ImConfig, dataSource: DataSource): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        DatabaseModule.forDataSource(dataSource),
        MessagingModule.forRoot({ url: config.RABBITMQ_URL, waitForConnection: false }),
        AuthModule.forRoot({
          internalAllowedIps: config.INTERNAL_ALLOWED_IPS,
          adminAllowedIps: config.ADMIN_ALLOWED_IPS,
          tokenCacheTtlMs: config.AUTH_TOKEN_CACHE_TTL,
        }),
        ReceiveModule,
        StockModule,
        // POST /api/signal/, /api/query-dbu-item/, /api/confirm-item/ and the outbox relay (IM-B).
        SyncWebModule.forRoot(config),
      ],
      controllers: [
        HealthController,
        MetricsController,
        TokenController,
        ReceiveController,
        StockController,
        InventoryController,
        ItemsController,
        AnalysisController,
        AnalysisPageController,
      ],
      providers: [
        InventoryRepository,
        ItemsRepository,
        AnalysisRepository,
        {
          provide: HEALTH_OPTIONS,
          inject: [AmqpConnection],
          useFactory: (amqp: AmqpConnection): HealthOptions => ({
            service: 'im-web',
            checks: { database: () => pingDatabase(dataSource), broker: () => isBrokerConnected(amqp) },
            critical: ['database'],
          }),
        },
      ],
    };
  }
}
