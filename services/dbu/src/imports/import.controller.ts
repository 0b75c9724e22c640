import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UploadedFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Admin, CurrentPrincipal, type Principal } from '@pjs/auth';
import { ImportListQueryDto, ImportUploadDto } from './dto/import-upload.dto';
import { ImportApiService } from './import-api.service';
import { UploadLimitGuard } from './upload.options';
import type { UploadedCatalogueFile } from './upload-storage';

export const UPLOAD_BODY = {
  schema: {
    type: 'object',
    required: ['file'],
    properties: {
      file: { type: 'string', format: 'binary', description: 'CSV or XLSX (judged by content)' },
      profile: { type: 'string' },
      error_policy: { type: 'string', enum: ['apply-valid', 'reject-all'] },
      dry_run: { type: 'string', enum: ['true', 'false'] },
      force: { type: 'string', enum: ['true', 'false'] },
    },
  },
};

/** `/api/imports/…` (admin): catalogue uploads and the import runs. Only translates HTTP. */
@ApiTags('imports')
@ApiSecurity('token')
@ApiUnauthorizedResponse({ description: 'No or invalid token' })
@ApiForbiddenResponse({ description: 'Address not allowed, or not an admin' })
@Admin()
@Controller('api/imports')
export class ImportController {
  constructor(private readonly imports: ImportApiService) {}

  @Post()
  @HttpCode(202)
  @UseGuards(UploadLimitGuard)
  @UseInterceptors(FileInterceptor('file'))
  @ApiOperation({ summary: 'Upload a catalogue file; it is imported by dbu-worker (202 with the import id)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody(UPLOAD_BODY)
  @ApiAcceptedResponse({ description: 'Queued; poll the returned url' })
  @ApiBadRequestResponse({ description: 'No file, not CSV/XLSX, or a bad field' })
  @ApiConflictResponse({ description: 'The same file was imported before (duplicate_import, with its import_id)' })
  @ApiPayloadTooLargeResponse({ description: 'Larger than UPLOAD_LIMIT_BYTES' })
  upload(
    @UploadedFile() file: UploadedCatalogueFile | undefined,
    @Body() dto: ImportUploadDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.imports.accept('catalogue', file, dto, principal);
  }

  @Get()
  @ApiOperation({ summary: 'Import runs, newest first' })
  list(@Query() query: ImportListQueryDto) {
    return this.imports.list(query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One import run: status, progress, counts, timings, column mapping, rejected rows (first 100)',
  })
  @ApiNotFoundResponse()
  get(@Param('id') id: string) {
    return this.imports.get(id);
  }

  @Get(':id/errors.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: 'All rejected rows in the source layout, with the reasons (CSV)' })
  @ApiProduces('text/csv')
  @ApiNotFoundResponse()
  async errors(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const { run, body } = await this.imports.errorsCsv(id);
    res.setHeader('Content-Disposition', `attachment; filename="import-${run.id}-errors.csv"`);
    for await (const chunk of body) {
      if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', () => resolve()));
    }
    res.end();
  }
}
