import { AuditModule } from '@pjs/audit';
import { accountSettings } from '@pjs/config';
import { Module, type DynamicModule, type ValueProvider } from '@nestjs/common';
import type { DataSource } from '@pjs/database';
import type { Logger } from '@pjs/logger';
import type { OutboxRelayOptions } from '@pjs/messaging';
import { CategoriesSyncWorkerModule } from './categories-sync/categories-sync-worker.module';
import type { DbuConfig } from './config/dbu-config';
import { CoreModule } from './core.module';
import { GpsrModule } from './gpsr/gpsr.module';
import { IMPORT_HOOKS, type ImportHooks } from './imports/runs/import.options';
import { ImportsWorkerModule } from './imports/imports-worker.module';
import { OutboxRelayModule } from './messaging/outbox-relay.module';
import { OUTBOX_RELAY_OPTIONS } from './messaging/outbox-relay.service';
import { PhotosWorkerModule } from './photos/photos-worker.module';
import { SignalsModule } from './signals/signals.module';

export interface WorkerOptions {
  /** Test seam: runs between the steps of an import's merge. */
  hooks?: ImportHooks;
  /** Test seam: relay tuning (tests poll faster). */
  relay?: OutboxRelayOptions;
}

/**
 * dbu-worker: consumers and scheduled jobs only, no HTTP API. Imports and GPSR runs, photos, the
 * category schedule, SIGNAL_URL delivery (when set) and an outbox relay.
 */
@Module({})
export class WorkerModule {
  static forRoot(
    config: DbuConfig,
    dataSource: DataSource,
    logger: Logger,
    options: WorkerOptions = {},
  ): DynamicModule {
    const seams: ValueProvider[] = [
      ...(options.hooks ? [{ provide: IMPORT_HOOKS, useValue: options.hooks }] : []),
      ...(options.relay ? [{ provide: OUTBOX_RELAY_OPTIONS, useValue: options.relay }] : []),
    ];
    return {
      module: WorkerModule,
      // Global so that the test seams reach the feature modules that ask for them.
      global: true,
      imports: [
        CoreModule.forRoot({ config, dataSource, logger, broker: { waitForConnection: true, prefetch: 1 } }),
        // The audit rows of applied imports.
        AuditModule.forRoot(accountSettings(config).audit),
        OutboxRelayModule,
        ImportsWorkerModule,
        GpsrModule,
        PhotosWorkerModule,
        CategoriesSyncWorkerModule,
        ...(config.SIGNAL_URL ? [SignalsModule] : []),
      ],
      providers: seams,
      exports: seams.map((seam) => seam.provide),
    };
  }
}
