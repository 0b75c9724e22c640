import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@pjs/auth';
import { DatabaseModule, pingDatabase, type DataSource } from '@pjs/database';
import { HEALTH_OPTIONS, HealthController, type HealthOptions } from '@pjs/http';
import type { Logger } from '@pjs/logger';
import { AmqpConnection, MessagingModule, isBrokerConnected } from '@pjs/messaging';
import { METRICS_BEFORE_SCRAPE, MetricsController } from '@pjs/metrics';
import { APP_LOGGER } from './catalogue/app-logger';
import { CategoriesModule } from './categories/categories.module';
import type { DbuConfig } from './config/dbu-config';
import { EmailDataModule } from './email-data/email-data.module';
import { ImportsApiModule } from './imports/imports-api.module';
import { LicensesModule } from './licenses/licenses.module';
import { productsTotal } from './products/product.metrics';
import { ProductRepository } from './products/product.repository';
import { ProductsModule } from './products/products.module';
import { OutboxRelayModule } from './signals/outbox-relay.module';
import { OutboxRelayService } from './signals/outbox-relay.service';
import { TokenController } from './token/token.controller';

/** dbu-web: the catalogue REST API. Controllers live only here (never in the worker). */
@Module({})
export class ApiModule {
  static forRoot(config: DbuConfig, dataSource: DataSource, logger: Logger): DynamicModule {
    return {
      module: ApiModule,
      global: true,
      imports: [
        DatabaseModule.forDataSource(dataSource),
        MessagingModule.forRoot({ url: config.RABBITMQ_URL, waitForConnection: false }),
        AuthModule.forRoot({
          internalAllowedIps: config.INTERNAL_ALLOWED_IPS,
          adminAllowedIps: config.ADMIN_ALLOWED_IPS,
          tokenCacheTtlMs: config.AUTH_TOKEN_CACHE_TTL,
        }),
        ProductsModule,
        CategoriesModule,
        LicensesModule,
        EmailDataModule,
        OutboxRelayModule.forRoot(),
        ImportsApiModule.forRoot(config),
      ],
      controllers: [TokenController, HealthController, MetricsController],
      providers: [
        { provide: APP_LOGGER, useValue: logger },
        {
          provide: HEALTH_OPTIONS,
          inject: [AmqpConnection],
          useFactory: (amqp: AmqpConnection): HealthOptions => ({
            service: 'dbu-web',
            checks: { database: () => pingDatabase(dataSource), broker: () => isBrokerConnected(amqp) },
            critical: ['database'],
          }),
        },
        {
          provide: METRICS_BEFORE_SCRAPE,
          inject: [ProductRepository, OutboxRelayService],
          useFactory: (products: ProductRepository, relay: OutboxRelayService) => {
            const total = productsTotal();
            return async () => {
              await Promise.all([products.countActive().then((n) => total.set(n)), relay.refreshMetrics()]);
            };
          },
        },
      ],
      exports: [APP_LOGGER],
    };
  }
}
