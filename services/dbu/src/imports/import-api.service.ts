import { HttpException } from '@nestjs/common';
import type { Principal } from '@pjs/auth';
import { FieldValidationException, NotFoundApiException } from '@pjs/http';
import type { OutboxRelayService } from '../signals/outbox-relay.service';
import type { ImportListQueryDto, ImportUploadDto } from './dto/import-upload.dto';
import { isTrue } from './dto/import-upload.dto';
import { errorsCsv } from './errors-csv';
import type { ImportRequestService } from './import-request.service';
import type { ImportRunRepository } from './import-run.repository';
import type { ImportKind, ImportRunRow } from './import-run.types';
import { importRunView } from './import-view';
import type { MediaStore } from './media-store';
import type { UploadedCatalogueFile } from './upload-storage';

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
export class ImportApiService {
  constructor(
    private readonly runs: ImportRunRepository,
    private readonly requests: ImportRequestService,
    private readonly media: MediaStore,
    private readonly relay: OutboxRelayService,
  ) {}

  async accept(kind: ImportKind, file: UploadedCatalogueFile | undefined, dto: ImportUploadDto, principal: Principal) {
    if (!file)
      throw new FieldValidationException('file', 'is required (a multipart field "file" with a CSV or XLSX file)');
    const submission = await this.requests.submit({
      kind,
      file,
      profile: dto.profile,
      errorPolicy: dto.error_policy ?? 'apply-valid',
      dryRun: isTrue(dto.dry_run),
      force: isTrue(dto.force),
      source: 'upload',
      requestedBy: principal.username,
      enqueue: true,
    });
    if (submission.duplicate) throw new DuplicateImportException(submission.existing);
    this.relay.notify();
    return importRunView(submission.run, { fileStored: true });
  }

  async list(query: ImportListQueryDto) {
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
