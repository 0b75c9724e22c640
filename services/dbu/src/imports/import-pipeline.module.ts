import { Module } from '@nestjs/common';
import { DBU_CONFIG } from '../config/dbu-config';
import { CatalogueImporter } from './catalogue-importer';
import { ImportRunner } from './runs/import-runner';
import { IMPORT_OPTIONS, importOptions } from './runs/import.options';
import { ImporterRegistry } from './runs/importer-registry';
import { ImportsModule } from './imports.module';
import { CatalogueMergeRepository } from './merge/catalogue-merge.repository';
import { CatalogueStageRepository } from './stage/catalogue-stage.repository';

/**
 * Running an import run (dbu-worker and the CLI): the runner and the catalogue importer. Other
 * kinds of run register their importer with the ImporterRegistry (see GpsrModule).
 */
@Module({
  imports: [ImportsModule],
  providers: [
    { provide: IMPORT_OPTIONS, inject: [DBU_CONFIG], useFactory: importOptions },
    ImporterRegistry,
    ImportRunner,
    CatalogueStageRepository,
    CatalogueMergeRepository,
    CatalogueImporter,
  ],
  exports: [ImportsModule, IMPORT_OPTIONS, ImporterRegistry, ImportRunner],
})
export class ImportPipelineModule {}
