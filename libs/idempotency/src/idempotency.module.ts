import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ClusterJobs } from '@pjs/database';
import { IDEMPOTENCY_OPTIONS, IdempotencyService, type IdempotencyOptions } from './idempotency.service';
import { IDEMPOTENCY_LOG, IdempotencyRetention, type IdempotencyLog } from './idempotency-retention';
import { IdempotentWrites } from './idempotent-writes';

/**
 * Idempotency-Key for the writes of a service, and the sweep that forgets keys older than the
 * retention (every `sweepIntervalMs`, in one of the processes that import this module: ClusterJobs,
 * whose table the service's migrations create). Needs a `DataSource` provider.
 */
@Global()
@Module({})
export class IdempotencyModule {
  static forRoot({ log, ...options }: Partial<IdempotencyOptions> & { log?: IdempotencyLog } = {}): DynamicModule {
    return {
      module: IdempotencyModule,
      providers: [
        {
          provide: IDEMPOTENCY_OPTIONS,
          useValue: { retentionMs: 7 * 86_400_000, sweepIntervalMs: 3_600_000, ...options },
        },
        { provide: IDEMPOTENCY_LOG, useValue: log ?? null },
        IdempotencyService,
        IdempotentWrites,
        IdempotencyRetention,
        ClusterJobs,
      ],
      exports: [IdempotencyService, IdempotentWrites, IdempotencyRetention],
    };
  }
}
