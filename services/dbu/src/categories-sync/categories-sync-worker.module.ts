import { Module } from '@nestjs/common';
import { ClusterJobs } from '@pjs/database';
import { CategoriesScheduler } from './categories.scheduler';
import { CategoriesSyncModule } from './categories-sync.module';

/** dbu-worker: the category tree refreshed on CATEGORIES_SCHEDULE (when a feed URL is set). */
@Module({
  imports: [CategoriesSyncModule],
  providers: [CategoriesScheduler, ClusterJobs],
})
export class CategoriesSyncWorkerModule {}
