import { Module } from '@nestjs/common';
import { DBU_CONFIG, type DbuConfig } from '../config/dbu-config';
import { ImportProfilesModule } from '../import-profiles/import-profiles.module';
import { ImportRequestService } from './runs/import-request.service';
import { ImportReviewRepository } from './review/import-review.repository';
import { ImportRunRepository } from './runs/import-run.repository';
import { MEDIA_DIR, MediaStore } from './upload/media-store';

/**
 * What every process that touches imports shares: the stored uploads (MediaStore), the import
 * runs, and the recording of a new run for a stored file.
 */
@Module({
  imports: [ImportProfilesModule],
  providers: [
    { provide: MEDIA_DIR, inject: [DBU_CONFIG], useFactory: (config: DbuConfig) => config.MEDIA_DIR },
    MediaStore,
    ImportRunRepository,
    ImportRequestService,
    ImportReviewRepository,
  ],
  exports: [ImportProfilesModule, MediaStore, ImportRunRepository, ImportRequestService, ImportReviewRepository],
})
export class ImportsModule {}
