import { randomUUID } from 'node:crypto';
import { type DataSource } from '@pjs/database';
import { enqueueEvent } from '@pjs/messaging';
import type { ImportProfileService } from '../import-profiles/import-profile.service';
import type { ImportRunRepository } from './import-run.repository';
import type { ErrorPolicy, ImportKind, ImportRunRow, StoredFile } from './import-run.types';
import { DbuJobs, type ImportRequested } from './import.jobs';

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

/** Records an import run for a stored file, recognising a file that was imported before. */
export class ImportRequestService {
  constructor(
    private readonly db: DataSource,
    private readonly runs: ImportRunRepository,
    private readonly profiles: ImportProfileService,
  ) {}

  async submit(request: ImportRequest): Promise<ImportSubmission> {
    const { id: profileId, settings } = await this.profiles.settingsFor(request.profile);
    const checkDuplicate = !request.dryRun && !request.force;
    if (checkDuplicate) {
      const existing = await this.runs.findDuplicate(request.kind, request.file.sha256);
      if (existing) return { duplicate: true, existing };
    }
    const id = randomUUID();
    const created = await this.db.transaction(async (tx) => {
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
      return inserted;
    });
    if (!created) {
      // A concurrent upload of the same content won the race.
      const existing = await this.runs.findDuplicate(request.kind, request.file.sha256);
      if (existing) return { duplicate: true, existing };
      throw new Error('the import run could not be recorded');
    }
    return { duplicate: false, run: (await this.runs.get(id))! };
  }
}
