import { Module } from '@nestjs/common';
import { DBU_CONFIG, type DbuConfig } from '../config/dbu-config';
import { ImportApiService } from './api/import-api.service';
import { ImportController } from './api/import.controller';
import { ImportQueueTopology } from './queue/import-queue.topology';
import { ImportsModule } from './imports.module';
import { CatalogueMergeRepository } from './merge/catalogue-merge.repository';
import { ReviewedApplyService } from './review/reviewed-apply.service';
import { IMPORT_OPTIONS, importOptions } from './runs/import.options';
import { CatalogueStageRepository } from './stage/catalogue-stage.repository';
import { UPLOAD_OPTIONS, UploadReceiver, type UploadOptions } from './upload/upload-receiver';

/**
 * dbu-web's imports: uploads streamed to MEDIA_DIR and queued for dbu-worker through the outbox,
 * the import runs, and the apply of a reviewed dry run (done here, in the request's transaction). The GPSR upload route (GpsrApiModule) uses the same services.
 */
@Module({
  imports: [ImportsModule],
  controllers: [ImportController],
  providers: [
    {
      provide: UPLOAD_OPTIONS,
      inject: [DBU_CONFIG],
      useFactory: (config: DbuConfig): UploadOptions => ({ limitBytes: config.UPLOAD_LIMIT_BYTES }),
    },
    UploadReceiver,
    ImportApiService,
    ImportQueueTopology,
    { provide: IMPORT_OPTIONS, inject: [DBU_CONFIG], useFactory: importOptions },
    CatalogueStageRepository,
    CatalogueMergeRepository,
    ReviewedApplyService,
  ],
  exports: [ImportApiService, UploadReceiver],
})
export class ImportsApiModule {}
