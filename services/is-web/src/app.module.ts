import { Module, type DynamicModule } from '@nestjs/common';
import { AccessModule } from '@pjs/http';
import { METRICS_BEFORE_SCRAPE, MetricsController } from '@pjs/metrics';
import { IS_ACCESS_POLICY } from './access-policy';
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
      imports: [AccessModule.forRoot({ policy: IS_ACCESS_POLICY, internalAllowedIps: [], adminAllowedIps: [] })],
      controllers: [HealthController, StatusController, MetricsController],
      providers: [
        {
          provide: STATUS_OPTIONS,
          useValue: {
            targets: config.IS_STATUS_TARGETS,
            timeoutMs: config.IS_PROBE_TIMEOUT,
            cacheMs: config.IS_PROBE_CACHE,
          },
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
