import { Module } from '@nestjs/common';
import { ImportPipelineModule } from './import-pipeline.module';
import { ImportWatchdog } from './queue/import-watchdog';
import { ImportConsumer } from './queue/import.consumer';
import { DEFAULT_WATCHDOG_OPTIONS, IMPORT_WATCHDOG_OPTIONS } from './runs/import.options';

/** dbu-worker's imports: the job consumer and the watchdog that re-queues lost runs. */
@Module({
  imports: [ImportPipelineModule],
  providers: [{ provide: IMPORT_WATCHDOG_OPTIONS, useValue: DEFAULT_WATCHDOG_OPTIONS }, ImportConsumer, ImportWatchdog],
})
export class ImportsWorkerModule {}
