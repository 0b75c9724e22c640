import { Module, type DynamicModule } from '@nestjs/common';
import { AUDIT_RETENTION_INTERVAL_MS, AuditModule } from '@pjs/audit';
import { accountSettings } from '@pjs/config';
import { CoreModule, type CoreOptions } from './core/core.module';
import { IntakeModule } from './intake/intake.module';
import { OutboxModule } from './outbox/outbox.module';
import { SyncWorkerModule } from './sync/sync-worker.module';

/**
 * im-worker: the consumers (DBU sync, catalogue updates, order intake) and the outbox relay; no
 * HTTP API. Consumers are started with startConsumer (manual ack, retry queue, dead-letter queue)
 * when the app boots, never discovered from decorators. It also applies the audit retention daily.
 */
@Module({})
export class WorkerModule {
  static forRoot(core: CoreOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        CoreModule.forRoot(core, { waitForConnection: true, prefetch: 1 }),
        OutboxModule,
        SyncWorkerModule,
        IntakeModule,
        AuditModule.forRoot({
          ...accountSettings(core.config).audit,
          retentionIntervalMs: AUDIT_RETENTION_INTERVAL_MS,
        }),
      ],
    };
  }
}
