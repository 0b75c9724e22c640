import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Endpoint, type Principal } from '@pjs/http';
import { IdempotencyHeaders, IdempotencyResponses, IdempotentWrites } from '@pjs/idempotency';
import { ImportRunSchema } from '../imports/api/import-api.schemas';
import { UPLOAD_FORM_DOCS } from '../imports/upload/upload-fields';
import { ImportApiService } from '../imports/api/import-api.service';
import { UploadReceiver, uploadRequest } from '../imports/upload/upload-receiver';

/** `POST /api/gpsr/`: a GPSR spreadsheet, normalised by dbu-worker like `pnpm dbu normalize-gpsr`. */
@ApiTags('imports')
@Controller('api/gpsr')
export class GpsrController {
  constructor(
    private readonly imports: ImportApiService,
    private readonly uploads: UploadReceiver,
    private readonly writes: IdempotentWrites,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: UPLOAD_FORM_DOCS })
  @Endpoint({
    summary: 'Upload a GPSR spreadsheet (manufacturer data, any header wording); runs as an import of kind gpsr',
    headers: IdempotencyHeaders,
    responses: {
      202: { description: 'Queued; poll /api/imports/{id}/', schema: ImportRunSchema },
      400: 'No file, not CSV/XLSX, or a bad field',
      409: 'The same file was normalised before',
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
    return this.writes.answer(request, reply, (tx) => this.imports.accept('gpsr', upload, principal, tx), {
      request: uploadRequest(upload),
    });
  }
}
