import { Module } from '@nestjs/common';
import { ImportPipelineModule } from '../imports/import-pipeline.module';
import { GpsrImporter } from './gpsr-importer';

/** GPSR runs (dbu-worker and the CLI): the importer of import runs of kind gpsr. */
@Module({
  imports: [ImportPipelineModule],
  providers: [GpsrImporter],
})
export class GpsrModule {}
