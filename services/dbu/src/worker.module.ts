import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource, DatabaseModule } from '@pjs/database';
import { NestWinstonLogger, type Logger } from '@pjs/logger';
import { AmqpConnection, MessagingModule, type OutboxRelayOptions } from '@pjs/messaging';
import { APP_LOGGER } from './catalogue/app-logger';
import { CategoriesSyncService } from './categories-sync/categories-sync.service';
import { CategoriesScheduler } from './categories-sync/categories.scheduler';
import type { DbuConfig } from './config/dbu-config';
import type { ImportHooks } from './imports/catalogue-importer';
import { createImportServices, type ImportServices } from './imports/import-services';
import { ImportWatchdog } from './imports/import-watchdog';
import { ImportConsumer } from './imports/import.consumer';
import { createPhotoService } from './photos/create-photo-service';
import type { PhotoService } from './photos/photo.service';
import { PhotosConsumer } from './photos/photos.consumer';
import { OutboxRelayModule } from './signals/outbox-relay.module';
import { OutboxRelayService } from './signals/outbox-relay.service';
import { SignalSender } from './signals/signal-sender';
import { SignalConsumer } from './signals/signal.consumer';

export const IMPORT_SERVICES = Symbol('IMPORT_SERVICES');
export const PHOTO_SERVICE = Symbol('PHOTO_SERVICE');

export interface WorkerOptions {
  /** Test seam: runs between the steps of an import's merge. */
  hooks?: ImportHooks;
  relay?: OutboxRelayOptions;
}

/**
 * dbu-worker: consumers and scheduled jobs only; no HTTP API (STYLE rule 1). Imports, GPSR
 * runs, photos, the category schedule, SIGNAL_URL delivery and an outbox relay.
 */
@Module({})
export class WorkerModule {
  static forRoot(
    config: DbuConfig,
    dataSource: DataSource,
    logger: Logger,
    options: WorkerOptions = {},
  ): DynamicModule {
    return {
      module: WorkerModule,
      global: true,
      imports: [
        DatabaseModule.forDataSource(dataSource),
        MessagingModule.forRoot({ url: config.RABBITMQ_URL, waitForConnection: true, prefetch: 1 }),
        OutboxRelayModule.forRoot(options.relay),
      ],
      exports: [APP_LOGGER],
      providers: [
        { provide: APP_LOGGER, useValue: logger },
        {
          provide: IMPORT_SERVICES,
          inject: [DataSource, OutboxRelayService],
          useFactory: (db: DataSource, relay: OutboxRelayService): ImportServices =>
            createImportServices({
              db,
              mediaDir: config.MEDIA_DIR,
              logger,
              signalEnabled: !!config.SIGNAL_URL,
              maxAttempts: config.IMPORT_MAX_ATTEMPTS,
              hooks: options.hooks,
              onCommitted: () => relay.notify(),
            }),
        },
        {
          provide: ImportConsumer,
          inject: [AmqpConnection, IMPORT_SERVICES],
          useFactory: (amqp: AmqpConnection, services: ImportServices) =>
            new ImportConsumer(amqp, services.runner, logger, config.IMPORT_MAX_ATTEMPTS),
        },
        {
          provide: ImportWatchdog,
          inject: [DataSource, OutboxRelayService],
          useFactory: (db: DataSource, relay: OutboxRelayService) =>
            new ImportWatchdog(db, logger, {
              intervalMs: 60_000,
              staleMs: 15 * 60_000,
              onRequeued: () => relay.notify(),
            }),
        },
        {
          provide: PHOTO_SERVICE,
          inject: [DataSource],
          useFactory: (db: DataSource) => createPhotoService(db, logger, config),
        },
        {
          provide: PhotosConsumer,
          inject: [AmqpConnection, DataSource, PHOTO_SERVICE, OutboxRelayService],
          useFactory: (amqp: AmqpConnection, db: DataSource, photos: PhotoService, relay: OutboxRelayService) =>
            new PhotosConsumer(amqp, db, photos, logger, {
              batchSize: config.PHOTO_BATCH_SIZE,
              schedule: config.PHOTOS_SCHEDULE,
              afterImport: config.PHOTOS_AFTER_IMPORT,
              onQueued: () => relay.notify(),
            }),
        },
        {
          provide: CategoriesSyncService,
          inject: [DataSource],
          useFactory: (db: DataSource) =>
            new CategoriesSyncService(db, logger, {
              url: config.WHOLESALER_CATEGORIES_URL,
              timeoutMs: config.CATEGORIES_TIMEOUT,
            }),
        },
        ...(config.WHOLESALER_CATEGORIES_URL
          ? [
              {
                provide: CategoriesScheduler,
                inject: [DataSource, CategoriesSyncService],
                useFactory: (db: DataSource, sync: CategoriesSyncService) =>
                  new CategoriesScheduler(db, sync, logger, config.CATEGORIES_SCHEDULE),
              },
            ]
          : []),
        ...(config.SIGNAL_URL
          ? [
              {
                provide: SignalConsumer,
                inject: [AmqpConnection, IMPORT_SERVICES],
                useFactory: (amqp: AmqpConnection, services: ImportServices) =>
                  new SignalConsumer(
                    amqp,
                    new SignalSender(
                      {
                        url: config.SIGNAL_URL!,
                        secret: config.SIGNAL_SECRET,
                        timeoutMs: config.SIGNAL_TIMEOUT,
                        maxAttempts: config.SIGNAL_MAX_ATTEMPTS,
                      },
                      services.runs,
                      logger,
                    ),
                    logger,
                    { maxAttempts: config.SIGNAL_MAX_ATTEMPTS, retryAfterMs: config.SIGNAL_RETRY_AFTER },
                  ),
              },
            ]
          : []),
      ],
    };
  }
}

/** Builds the worker's application context on a connected data source (worker.ts and the tests). */
export async function createWorkerApp(
  config: DbuConfig,
  dataSource: DataSource,
  logger: Logger,
  options: WorkerOptions = {},
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, dataSource, logger, options), {
    logger: new NestWinstonLogger(logger),
  });
  await app.init();
  return app;
}
