import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditWriter } from '@pjs/audit';
import { DataSource, type EntityManager } from '@pjs/database';
import { enqueueEvent } from '@pjs/messaging';
import { ImportProfileService } from '../../import-profiles/import-profile.service';
import { ImportRunRepository } from './import-run.repository';
import type { ErrorPolicy, ImportKind, ImportRunRow, StoredFile } from './import-run.types';
import { DbuJobs, type ImportRequested } from '../../messaging/dbu-jobs';

export interface ImportRequest {
  kind: ImportKind;
  file: StoredFile;
  profile?: string | number;
  errorPolicy: ErrorPolicy;
  dryRun: boolean;
  /** Import even if the same file content was imported before. */
  force: boolean;
  source: 'upload' | 'cli';
  requestedBy: string | null;
  /** Queue a job for dbu-worker in the same transaction (uploads); the CLI runs the import itself. */
  enqueue: boolean;
}

export type ImportSubmission = { duplicate: false; run: ImportRunRow } | { duplicate: true; existing: ImportRunRow };

/**
 * Records an import run for a stored file, recognising a file that was imported before; the upload
 * is audited (`import.upload`, `gpsr.upload`) in the run's transaction.
 */
@Injectable()
export class ImportRequestService {
  constructor(
    private readonly db: DataSource,
    private readonly runs: ImportRunRepository,
    private readonly profiles: ImportProfileService,
    private readonly audit: AuditWriter,
  ) {}

  /** `outer`: the caller's transaction (an upload's Idempotency-Key is stored in it). */
  async submit(request: ImportRequest, outer?: EntityManager): Promise<ImportSubmission> {
    const { id: profileId, settings } = await this.profiles.settingsFor(request.profile);
    const checkDuplicate = !request.dryRun && !request.force;
    if (checkDuplicate) {
      const existing = await this.runs.findDuplicate(request.kind, request.file.sha256);
      if (existing) return { duplicate: true, existing };
    }
    const id = randomUUID();
    const created = await (outer ?? this.db.manager).transaction(async (tx) => {
      const inserted = await this.runs.create(
        {
          id,
          kind: request.kind,
          dryRun: request.dryRun,
          force: request.force,
          errorPolicy: request.errorPolicy,
          source: request.source,
          requestedBy: request.requestedBy,
          profileId,
          settings,
          file: request.file,
        },
        tx,
      );
      if (inserted && request.enqueue) {
        await enqueueEvent<ImportRequested>(tx, DbuJobs.importRequested, { import_id: id });
      }
      if (inserted) {
        await this.audit.record(
          {
            action: `${request.kind === 'gpsr' ? 'gpsr' : 'import'}.upload`,
            resource: 'import',
            resourceId: id,
            // An upload's caller comes from the request; the CLI names its operator.
            actor: request.source === 'cli' ? { username: `cli:${request.requestedBy ?? 'unknown'}` } : undefined,
            details: {
              kind: request.kind,
              source: request.source,
              dry_run: request.dryRun,
              file_sha256: request.file.sha256,
            },
          },
          tx,
        );
      }
      return inserted;
    });
    if (!created) {
      // A concurrent upload of the same content won the race.
      const existing = await this.runs.findDuplicate(request.kind, request.file.sha256);
      if (existing) return { duplicate: true, existing };
      throw new Error('the import run could not be recorded');
    }
    return { duplicate: false, run: (await this.runs.get(id, outer))! };
  }
}
