import { Module, type DynamicModule } from '@nestjs/common';
import { accountSettings, addressAllowlists, idempotencySettings, rateLimitSettings } from '@pjs/config';
import { AuthModule } from '@pjs/auth';
import { IdempotencyModule } from '@pjs/idempotency';
import { DataSource, migrationsCurrent, pingDatabase } from '@pjs/database';
import { HEALTH_OPTIONS, HealthController, type HealthOptions } from '@pjs/http';
import { AmqpConnection, isBrokerConnected } from '@pjs/messaging';
import { MetricsController } from '@pjs/metrics';
import { RateLimitModule } from '@pjs/rate-limit';
import { IM_ACCESS_POLICY } from './access-policy';
import { AnalysisPageController } from './analysis/analysis-page.controller';
import { AnalysisController } from './analysis/analysis.controller';
import { AnalysisModule } from './analysis/analysis.module';
import { CoreModule, type CoreOptions } from './core/core.module';
import { DbuItemsController } from './dbu-items/dbu-items.controller';
import { DbuItemsModule } from './dbu-items/dbu-items.module';
import { InventoryController } from './inventory/inventory.controller';
import { InventoryModule } from './inventory/inventory.module';
import { ItemsController } from './items/items.controller';
import { ItemsModule } from './items/items.module';
import { OrdersController } from './orders/orders.controller';
import { OrdersModule } from './orders/orders.module';
import { ReceiveController } from './receive/receive.controller';
import { ReceiveModule } from './receive/receive.module';
import { SignalController } from './signal/signal.controller';
import { SignalModule } from './signal/signal.module';
import { StockController } from './stock/stock.controller';
import { imAuditOptions } from './stock/stock-ledger.audit';
import { StockModule } from './stock/stock.module';

/** im-web: the inventory REST API, the staff admin, health and metrics. Controllers live only here. */
@Module({})
export class ApiModule {
  static forRoot(core: CoreOptions): DynamicModule {
    const { config } = core;
    return {
      module: ApiModule,
      imports: [
        CoreModule.forRoot(core, { waitForConnection: false }),
        AuthModule.forRoot({
          policy: IM_ACCESS_POLICY,
          tokenEndpointPath: 'api/token',
          ...addressAllowlists(config),
          ...accountSettings(config),
          audit: imAuditOptions(config),
        }),
        RateLimitModule.forRoot(rateLimitSettings('im', config)),
        IdempotencyModule.forRoot({ ...idempotencySettings(config), log: core.logger }),
        ReceiveModule,
        StockModule,
        InventoryModule,
        ItemsModule,
        OrdersModule,
        AnalysisModule,
        SignalModule,
        DbuItemsModule,
      ],
      controllers: [
        HealthController,
        MetricsController,
        ReceiveController,
        StockController,
        InventoryController,
        ItemsController,
        OrdersController,
        AnalysisController,
        AnalysisPageController,
        SignalController,
        DbuItemsController,
      ],
      providers: [
        {
          provide: HEALTH_OPTIONS,
          inject: [DataSource, AmqpConnection],
          useFactory: (db: DataSource, amqp: AmqpConnection): HealthOptions => ({
            service: 'im-web',
            checks: { database: () => pingDatabase(db), broker: () => isBrokerConnected(amqp) },
            critical: ['database'],
            readiness: { migrations: () => migrationsCurrent(db) },
          }),
        },
      ],
    };
  }
}
