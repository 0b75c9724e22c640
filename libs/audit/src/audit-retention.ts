import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AUDIT_OPTIONS, type AuditOptions } from './audit.options';

/**
 * Applies the retention: deletes rows older than AUDIT_RETENTION and blanks client addresses
 * older than AUDIT_IP_RETENTION — the only changes the append-only trigger lets through, and only
 * inside this job's transaction.
 */
@Injectable()
export class AuditRetention {
  constructor(
    private readonly db: DataSource,
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
  ) {}

  async run(): Promise<{ deleted: number; addressesBlanked: number }> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL pjs.audit_maintenance = 'on'`);
      const [, deleted] = await tx.query<[unknown, number]>(
        `DELETE FROM audit_log WHERE at < now() - $1 * interval '1 millisecond'`,
        [this.options.retentionMs],
      );
      const [, blanked] = await tx.query<[unknown, number]>(
        `UPDATE audit_log SET client_ip = NULL
          WHERE client_ip IS NOT NULL AND at < now() - $1 * interval '1 millisecond'`,
        [this.options.ipRetentionMs],
      );
      return { deleted, addressesBlanked: blanked };
    });
  }
}
