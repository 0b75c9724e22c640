import { AUDIT_RETENTION_INTERVAL_MS, AuditModule } from '@pjs/audit';
import { accountSettings } from '@pjs/config';
import { Module, type DynamicModule } from '@nestjs/common';
import type { DataSource } from '@pjs/database';
import type { Logger } from '@pjs/logger';
import { CleanupModule } from './cleanup/cleanup.module';
import type { DbuConfig } from './config/dbu-config';
import { CoreModule } from './core.module';

/** dbu-cleanup: the upload clean-up on its schedule and the audit retention; no broker, no HTTP. */
@Module({})
export class CleanupAppModule {
  static forRoot(config: DbuConfig, dataSource: DataSource, logger: Logger): DynamicModule {
    return {
      module: CleanupAppModule,
      imports: [
        CoreModule.forRoot({ config, dataSource, logger }),
        // The audit retention, daily (the trail is read through dbu-web).
        AuditModule.forRoot({ ...accountSettings(config).audit, retentionIntervalMs: AUDIT_RETENTION_INTERVAL_MS }),
        CleanupModule,
      ],
    };
  }
}
