import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@pjs/auth';
import { accountSettings, addressAllowlists, idempotencySettings, rateLimitSettings } from '@pjs/config';
import { IdempotencyModule } from '@pjs/idempotency';
import { RateLimitModule } from '@pjs/rate-limit';
import type { DataSource } from '@pjs/database';
import type { Logger } from '@pjs/logger';
import { DBU_ACCESS_POLICY } from './access-policy';
import { CategoriesModule } from './categories/categories.module';
import { ChangesApiModule } from './changes/changes-api.module';
import type { DbuConfig } from './config/dbu-config';
import { CoreModule } from './core.module';
import { EmailDataModule } from './email-data/email-data.module';
import { GpsrApiModule } from './gpsr/gpsr-api.module';
import { WebHealthModule } from './health/web-health.module';
import { HistoryModule } from './history/history.module';
import { ImportProfilesApiModule } from './import-profiles/import-profiles-api.module';
import { ImportsApiModule } from './imports/imports-api.module';
import { LicensesModule } from './licenses/licenses.module';
import { OutboxRelayModule } from './messaging/outbox-relay.module';
import { PhotosApiModule } from './photos/photos-api.module';
import { ProductsModule } from './products/products.module';

/**
 * dbu-web: the catalogue REST API. Controllers live only here (never in the worker); who may
 * call which route is DBU_ACCESS_POLICY's business, checked by the request pipeline.
 */
@Module({})
export class ApiModule {
  static forRoot(config: DbuConfig, dataSource: DataSource, logger: Logger): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        CoreModule.forRoot({ config, dataSource, logger, broker: { waitForConnection: false } }),
        AuthModule.forRoot({
          policy: DBU_ACCESS_POLICY,
          tokenEndpointPath: 'api-token-auth',
          ...addressAllowlists(config),
          ...accountSettings(config),
        }),
        RateLimitModule.forRoot(rateLimitSettings('dbu', config)),
        IdempotencyModule.forRoot({ ...idempotencySettings(config), log: logger }),
        OutboxRelayModule,
        ProductsModule,
        ChangesApiModule,
        HistoryModule,
        CategoriesModule,
        LicensesModule,
        EmailDataModule,
        ImportsApiModule,
        GpsrApiModule,
        ImportProfilesApiModule,
        PhotosApiModule,
        WebHealthModule,
      ],
    };
  }
}
