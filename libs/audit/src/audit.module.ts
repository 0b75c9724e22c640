import { Module, type DynamicModule } from '@nestjs/common';
import { ClusterJobs } from '@pjs/database';
import { AuditReader } from './audit-reader';
import { AuditRetention } from './audit-retention';
import { AuditRetentionJob } from './audit-retention.job';
import { AuditWriter } from './audit-writer';
import { AUDIT_OPTIONS, type AuditOptions } from './audit.options';

/** How often long-running processes apply the retention. */
export const AUDIT_RETENTION_INTERVAL_MS = 86_400_000;

export const DEFAULT_AUDIT_OPTIONS: AuditOptions = {
  retentionMs: 400 * 86_400_000,
  ipRetentionMs: 90 * 86_400_000,
};

/**
 * The audit trail of a service: writer, reader and retention (on a timer when
 * `retentionIntervalMs` is set, once per interval across all replicas: ClusterJobs, whose table
 * the service's migrations create). Needs `DataSource` and `LOGGER` providers.
 */
@Module({})
export class AuditModule {
  static forRoot(options: Partial<AuditOptions> = {}): DynamicModule {
    return {
      module: AuditModule,
      global: true,
      providers: [
        { provide: AUDIT_OPTIONS, useValue: { ...DEFAULT_AUDIT_OPTIONS, ...options } },
        AuditWriter,
        AuditReader,
        AuditRetention,
        ...(options.retentionIntervalMs ? [AuditRetentionJob, ClusterJobs] : []),
      ],
      exports: [AuditWriter, AuditReader, AuditRetention, AUDIT_OPTIONS],
    };
  }
}
