import { Module, type DynamicModule } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { DataSource } from '@pjs/database';
import type { Logger } from '@pjs/logger';
import { AmqpConnection } from '@pjs/messaging';
import { APP_LOGGER } from '../catalogue/app-logger';
import type { DbuConfig } from '../config/dbu-config';
import { GpsrController } from '../gpsr/gpsr.controller';
import { ImportProfilesModule } from '../import-profiles/import-profiles.module';
import { ImportProfileService } from '../import-profiles/import-profile.service';
import { OutboxRelayService } from '../signals/outbox-relay.service';
import { ImportApiService } from './import-api.service';
import { ImportRequestService } from './import-request.service';
import { ImportRunRepository } from './import-run.repository';
import { ImportController } from './import.controller';
import { ImportQueueTopology } from './import-queue.topology';
import { MediaStore } from './media-store';
import { UPLOAD_OPTIONS, UploadLimitGuard } from './upload.options';
import { UploadStorage } from './upload-storage';

/**
 * dbu-web's imports: uploads (catalogue and GPSR) streamed to MEDIA_DIR and queued for
 * dbu-worker through the outbox, the import runs, and the import profiles. Needs the
 * OutboxRelayModule (global) in the app.
 */
@Module({})
export class ImportsApiModule {
  static forRoot(config: Pick<DbuConfig, 'MEDIA_DIR' | 'UPLOAD_LIMIT_BYTES'>): DynamicModule {
    const media = new MediaStore(config.MEDIA_DIR);
    const limitBytes = config.UPLOAD_LIMIT_BYTES;
    return {
      module: ImportsApiModule,
      imports: [
        ImportProfilesModule,
        MulterModule.register({
          storage: new UploadStorage(media, limitBytes),
          limits: { fileSize: limitBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 },
        }),
      ],
      controllers: [ImportController, GpsrController],
      providers: [
        { provide: MediaStore, useValue: media },
        { provide: UPLOAD_OPTIONS, useValue: { limitBytes } },
        UploadLimitGuard,
        {
          provide: ImportQueueTopology,
          inject: [AmqpConnection, APP_LOGGER],
          useFactory: (amqp: AmqpConnection, logger: Logger) => new ImportQueueTopology(amqp, logger),
        },
        {
          provide: ImportRunRepository,
          inject: [DataSource],
          useFactory: (db: DataSource) => new ImportRunRepository(db),
        },
        {
          provide: ImportRequestService,
          inject: [DataSource, ImportRunRepository, ImportProfileService],
          useFactory: (db: DataSource, runs: ImportRunRepository, profiles: ImportProfileService) =>
            new ImportRequestService(db, runs, profiles),
        },
        {
          provide: ImportApiService,
          inject: [ImportRunRepository, ImportRequestService, MediaStore, OutboxRelayService],
          useFactory: (
            runs: ImportRunRepository,
            requests: ImportRequestService,
            m: MediaStore,
            relay: OutboxRelayService,
          ) => new ImportApiService(runs, requests, m, relay),
        },
      ],
    };
  }
}
