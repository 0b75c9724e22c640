import { Module } from '@nestjs/common';
import { ClusterJobs } from '@pjs/database';
import { ChangesModule } from '../changes/changes.module';
import { DBU_CONFIG } from '../config/dbu-config';
import { ImportsModule } from '../imports/imports.module';
import { CleanupScheduler } from './cleanup-scheduler';
import { CLEANUP_OPTIONS, cleanupOptions } from './cleanup.options';
import { UploadCleanupService } from './upload-cleanup.service';

/**
 * Deleting old upload files no running import needs, and compacting the product change log
 * (dbu-cleanup's schedule, the CLI's cleanup-uploads and compact-changes).
 */
@Module({
  imports: [ImportsModule, ChangesModule],
  providers: [
    { provide: CLEANUP_OPTIONS, inject: [DBU_CONFIG], useFactory: cleanupOptions },
    UploadCleanupService,
    CleanupScheduler,
    ClusterJobs,
  ],
  exports: [CLEANUP_OPTIONS, UploadCleanupService, CleanupScheduler],
})
export class CleanupModule {}
