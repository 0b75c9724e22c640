import { Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { CurrentPrincipal, Endpoint, Type, pageNumberLinks, type Principal } from '@pjs/http';
import { IdempotencyHeaders, IdempotencyResponses, IdempotentWrites } from '@pjs/idempotency';
import {
  ImportIdParams,
  type ImportListQuery,
  ImportListQuerySchema,
  ImportRunPage,
  ImportRunSchema,
} from './import-api.schemas';
import { UPLOAD_FORM_DOCS } from '../upload/upload-fields';
import { ImportApiService } from './import-api.service';
import { ReviewedApplyService } from '../review/reviewed-apply.service';
import { UploadReceiver, uploadRequest } from '../upload/upload-receiver';

/** `/api/imports/…`: catalogue uploads and the import runs. Only translates HTTP. */
@ApiTags('imports')
@Controller('api/imports')
export class ImportController {
  constructor(
    private readonly imports: ImportApiService,
    private readonly uploads: UploadReceiver,
    private readonly writes: IdempotentWrites,
    private readonly reviewed: ReviewedApplyService,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: UPLOAD_FORM_DOCS })
  @Endpoint({
    summary: 'Upload a catalogue file; it is imported by dbu-worker (202 with the import id)',
    headers: IdempotencyHeaders,
    responses: {
      202: { description: 'Queued; poll the returned url', schema: ImportRunSchema },
      400: 'No file, not CSV/XLSX, or a bad field',
      409: 'The same file was imported before (duplicate_import, with its import_id)',
      413: 'Larger than UPLOAD_LIMIT_BYTES',
      ...IdempotencyResponses,
    },
  })
  async upload(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
  ) {
    const upload = await this.uploads.receive(request);
    return this.writes.answer(request, reply, (tx) => this.imports.accept('catalogue', upload, principal, tx), {
      request: uploadRequest(upload),
    });
  }

  @Post(':id/apply')
  @HttpCode(201)
  @Endpoint({
    summary: 'Apply exactly the diff a catalogue dry run showed (201 with the new run of source apply)',
    description:
      'Writes the rows the dry run found new or changed, as they were staged then, in one transaction. ' +
      'Refused with 409 `import_diff_stale` (naming the products) when any product of that diff changed ' +
      'or was created since the dry run, `import_already_applied` when it was applied before (with ' +
      '`applied_import_id`; a retry with the same Idempotency-Key replays the first answer instead), ' +
      '`import_not_reviewable` when the run is no succeeded catalogue dry run.',
    params: ImportIdParams,
    headers: IdempotencyHeaders,
    responses: {
      201: { description: 'Applied: the new run (source apply, details.reviewed_import_id)', schema: ImportRunSchema },
      404: 'No such import',
      409: 'import_diff_stale (changed_items), import_already_applied, import_not_reviewable, duplicate_import',
      ...IdempotencyResponses,
    },
  })
  apply(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.writes.answer(request, reply, (tx) => this.reviewed.apply(id, principal, tx));
  }

  @Get()
  @Endpoint({
    summary: 'Import runs, newest first',
    query: ImportListQuerySchema,
    responses: { 200: ImportRunPage, 400: 'A bad filter', 404: 'Page past the end' },
  })
  async list(@Query() query: ImportListQuery, @Req() request: FastifyRequest) {
    const page = await this.imports.list(query);
    const { count, ...rest } = page;
    // The page shape of every list first (count, next, previous), then this list's own fields.
    return { count, ...pageNumberLinks(request, page), ...rest };
  }

  @Get(':id')
  @Endpoint({
    summary: 'One import run: status, progress, counts, timings, column mapping, rejected rows (first 100)',
    params: ImportIdParams,
    responses: { 200: ImportRunSchema, 404: 'No such import' },
  })
  get(@Param('id') id: string) {
    return this.imports.get(id);
  }

  @Get(':id/errors.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Endpoint({
    summary: 'All rejected rows in the source layout, with the reasons (CSV)',
    params: ImportIdParams,
    produces: ['text/csv'],
    responses: {
      200: { description: 'The rejected rows, streamed', schema: Type.String({ description: 'CSV text' }) },
      404: 'No such import',
    },
  })
  async errors(@Param('id') id: string, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const { run, body } = await this.imports.errorsCsv(id);
    return reply
      .header('Content-Disposition', `attachment; filename="import-${run.id}-errors.csv"`)
      .send(Readable.from(body));
  }
}
