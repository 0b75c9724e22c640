import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@pjs/auth';
import { DatabaseModule, type DataSource } from '@pjs/database';
import { MessagingModule } from '@pjs/messaging';
import { MetricsController } from '@pjs/metrics';
import type { DbuConfig } from './config/dbu-config';
import { HealthController } from './health/health.controller';

/** dbu-web: the catalogue REST API. Controllers live only here (never in the worker). */
@Module({})
export class ApiModule {
  static forRoot(config: DbuConfig, dataSource: DataSource): DynamicModule {
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
      ],
      controllers: [HealthController, MetricsController],
    };
  }
}
