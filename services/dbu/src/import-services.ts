import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditModule } from '@pjs/audit';
import { accountSettings } from '@pjs/config';
import type { DataSource } from '@pjs/database';
import { NestWinstonLogger, type Logger } from '@pjs/logger';
import type { DbuConfig } from './config/dbu-config';
import { CoreModule } from './core.module';
import { GpsrModule } from './gpsr/gpsr.module';
import { ImportProfileService } from './import-profiles/import-profile.service';
import { ImportRequestService } from './imports/runs/import-request.service';
import { ImportRunRepository } from './imports/runs/import-run.repository';
import { ImportRunner } from './imports/runs/import-runner';
import { IMPORT_HOOKS, type ImportHooks } from './imports/runs/import.options';
import { ImportPipelineModule } from './imports/import-pipeline.module';
import { MediaStore } from './imports/upload/media-store';

/** The import pipeline of one process, as the CLI runs it (for tests and the import benchmark). */
export interface ImportServices {
  media: MediaStore;
  runs: ImportRunRepository;
  profiles: ImportProfileService;
  requests: ImportRequestService;
  runner: ImportRunner;
  app: INestApplicationContext;
  close(): Promise<void>;
}

/**
 * The catalogue and GPSR pipelines on a connected data source, built by Nest from the same
 * modules as dbu-worker and the CLI (no broker: a committed event waits in the outbox).
 */
export async function createImportServices(
  config: DbuConfig,
  dataSource: DataSource,
  logger: Logger,
  options: { hooks?: ImportHooks } = {},
): Promise<ImportServices> {
  @Module({
    imports: [
      CoreModule.forRoot({ config, dataSource, logger }),
      AuditModule.forRoot(accountSettings(config).audit),
      ImportPipelineModule,
      GpsrModule,
    ],
  })
  class ImportServicesModule {}
  const root = options.hooks
    ? {
        module: ImportServicesModule,
        global: true,
        providers: [{ provide: IMPORT_HOOKS, useValue: options.hooks }],
        exports: [IMPORT_HOOKS],
      }
    : ImportServicesModule;
  const app = await NestFactory.createApplicationContext(root, { logger: new NestWinstonLogger(logger) });
  return {
    media: app.get(MediaStore),
    runs: app.get(ImportRunRepository),
    profiles: app.get(ImportProfileService),
    requests: app.get(ImportRequestService),
    runner: app.get(ImportRunner),
    app,
    close: () => app.close(),
  };
}
