import { Module, type DynamicModule } from '@nestjs/common';
import { AuthCoreModule } from '@pjs/auth';
import { accountSettings } from '@pjs/config';
import type { DataSource } from '@pjs/database';
import type { Logger } from '@pjs/logger';
import { DBU_ACCESS_POLICY } from './access-policy';
import { CategoriesSyncModule } from './categories-sync/categories-sync.module';
import { CleanupModule } from './cleanup/cleanup.module';
import { ImportFileCommand } from './cli/import-file.command';
import type { DbuConfig } from './config/dbu-config';
import { CoreModule } from './core.module';
import { GpsrModule } from './gpsr/gpsr.module';
import { ImportPipelineModule } from './imports/import-pipeline.module';
import { PhotosModule } from './photos/photos.module';

/**
 * The `dbu` management commands: users, imports and GPSR runs run in-process, photo and category
 * fetches, upload clean-up. No broker connection (an import's event waits in the outbox for a
 * relay when the broker does not answer right away) and no relay of its own.
 */
@Module({})
export class CliModule {
  static forRoot(config: DbuConfig, dataSource: DataSource, logger: Logger): DynamicModule {
    return {
      module: CliModule,
      imports: [
        CoreModule.forRoot({ config, dataSource, logger }),
        AuthCoreModule.forRoot({ policy: DBU_ACCESS_POLICY, ...accountSettings(config) }),
        ImportPipelineModule,
        GpsrModule,
        PhotosModule,
        CategoriesSyncModule,
        CleanupModule,
      ],
      providers: [ImportFileCommand],
    };
  }
}
