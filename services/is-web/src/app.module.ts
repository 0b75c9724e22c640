import { Module, type DynamicModule } from '@nestjs/common';
import { METRICS_BEFORE_SCRAPE, MetricsController } from '@pjs/metrics';
import type { IsConfig } from './config/is-config';
import { HealthController } from './health/health.controller';
import { STATUS_OPTIONS, StatusService } from './status/status.service';
import { StatusController } from './status/status.controller';

/** is-web: health, the status aggregator and metrics. Stateless: no database, no broker. */
@Module({})
export class ApiModule {
  static forRoot(config: IsConfig): DynamicModule {
    return {
      module: ApiModule,
      controllers: [HealthController, StatusController, MetricsController],
      providers: [
        {
          provide: STATUS_OPTIONS,
          useValue: { targets: config.IS_STATUS_TARGETS, timeoutMs: config.IS_PROBE_TIMEOUT },
        },
        StatusService,
        // Probe right before each scrape so is_target_up is never staler than the scrape interval.
        {
          provide: METRICS_BEFORE_SCRAPE,
          inject: [StatusService],
          useFactory: (status: StatusService) => async () => {
            await status.check();
          },
        },
      ],
    };
  }
}
