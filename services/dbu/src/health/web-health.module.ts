import { Module } from '@nestjs/common';
import { DataSource, migrationsCurrent, pingDatabase } from '@pjs/database';
import { HEALTH_OPTIONS, HealthController, type HealthOptions } from '@pjs/http';
import { AmqpConnection, isBrokerConnected } from '@pjs/messaging';
import { METRICS_BEFORE_SCRAPE, MetricsController, type BeforeScrape } from '@pjs/metrics';
import { OutboxRelayService } from '../messaging/outbox-relay.service';
import { productsTotal } from '../products/product.metrics';
import { ProductRepository } from '../products/product.repository';
import { ProductsModule } from '../products/products.module';

/**
 * dbu-web's probes: `GET /health/` (the database is critical, the broker is not) and
 * `GET /metrics/`, with the gauges read from the database refreshed right before each scrape.
 */
@Module({
  imports: [ProductsModule],
  controllers: [HealthController, MetricsController],
  providers: [
    {
      provide: HEALTH_OPTIONS,
      inject: [DataSource, AmqpConnection],
      useFactory: (db: DataSource, amqp: AmqpConnection): HealthOptions => ({
        service: 'dbu-web',
        checks: { database: () => pingDatabase(db), broker: () => isBrokerConnected(amqp) },
        critical: ['database'],
        readiness: { migrations: () => migrationsCurrent(db) },
      }),
    },
    {
      provide: METRICS_BEFORE_SCRAPE,
      inject: [ProductRepository, OutboxRelayService],
      useFactory: (products: ProductRepository, relay: OutboxRelayService): BeforeScrape => {
        const total = productsTotal();
        return async () => {
          await Promise.all([products.countActive().then((n) => total.set(n)), relay.refreshMetrics()]);
        };
      },
    },
  ],
})
export class WebHealthModule {}
