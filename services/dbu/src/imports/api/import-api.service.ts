import { HttpException, Injectable } from '@nestjs/common';
import type { EntityManager } from '@pjs/database';
import { NotFoundApiException, type Principal } from '@pjs/http';
import { OutboxRelayService } from '../../messaging/outbox-relay.service';
import { isTrue } from '../upload/upload-fields';
import type { ImportListQuery } from './import-api.schemas';
import { errorsCsv } from '../report/errors-csv';
import { ImportRequestService } from '../runs/import-request.service';
import { ImportRunRepository } from '../runs/import-run.repository';
import type { ImportKind, ImportRunRow } from '../runs/import-run.types';
import { importRunView } from '../report/import-view';
import { MediaStore } from '../upload/media-store';
import type { ReceivedUpload } from '../upload/upload-receiver';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAMPLE_ROWS = 100;

/** 409: this file content was imported before (or is being imported); names that run. */
export class DuplicateImportException extends HttpException {
  constructor(existing: ImportRunRow) {
    super(
      {
        statusCode: 409,
        code: 'duplicate_import',
        message: `this file was already imported (import ${existing.id}, ${existing.status}); send force=true to import it again`,
        import_id: existing.id,
        url: `/api/imports/${existing.id}/`,
      },
      409,
    );
  }
}

export class ImportNotFoundException extends NotFoundApiException {
  constructor(id: string) {
    super(`import ${JSON.stringify(id)}`);
  }
}

/** dbu-web's side of imports: accept uploads (queued for dbu-worker) and show the runs. */
@Injectable()
export class ImportApiService {
  constructor(
    private readonly runs: ImportRunRepository,
    private readonly requests: ImportRequestService,
    private readonly media: MediaStore,
    private readonly relay: OutboxRelayService,
  ) {}

  /** `tx`: the caller's transaction (the upload's Idempotency-Key is stored in it). */
  async accept(kind: ImportKind, { file, fields: dto }: ReceivedUpload, principal: Principal, tx?: EntityManager) {
    const submission = await this.requests.submit(
      {
        kind,
        file,
        profile: dto.profile,
        errorPolicy: dto.error_policy ?? 'apply-valid',
        dryRun: isTrue(dto.dry_run),
        force: isTrue(dto.force),
        source: 'upload',
        requestedBy: principal.username,
        enqueue: true,
      },
      tx,
    );
    if (submission.duplicate) throw new DuplicateImportException(submission.existing);
    this.relay.notify();
    return importRunView(submission.run, { fileStored: true });
  }

  async list(query: ImportListQuery) {
    const page = query.page ?? 1;
    const size = query.page_size ?? 20;
    const { count, rows } = await this.runs.page({ kind: query.kind, status: query.status }, size, (page - 1) * size);
    if (page > 1 && rows.length === 0) throw new NotFoundApiException('page');
    return { count, page, page_size: size, results: rows.map((r) => importRunView(r)) };
  }

  async get(id: string) {
    const run = await this.find(id);
    const sample = await this.runs.rejectedRows(run.id, SAMPLE_ROWS);
    return importRunView(run, {
      fileStored: await this.media.uploadExists(run.file_sha256),
      rejected: { count: await this.runs.countRejected(run.id), sample },
    });
  }

  async errorsCsv(id: string): Promise<{ run: ImportRunRow; body: AsyncGenerator<string> }> {
    const run = await this.find(id);
    return { run, body: errorsCsv(run, (after, limit) => this.runs.rejectedRows(run.id, limit, after)) };
  }

  private async find(id: string): Promise<ImportRunRow> {
    const run = UUID.test(id) ? await this.runs.get(id) : undefined;
    if (!run) throw new ImportNotFoundException(id);
    return run;
  }
}
