import { Body, Controller, HttpCode, Post, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Admin, CurrentPrincipal, type Principal } from '@pjs/auth';
import { ImportUploadDto } from '../imports/dto/import-upload.dto';
import { ImportApiService } from '../imports/import-api.service';
import { UPLOAD_BODY } from '../imports/import.controller';
import { UploadLimitGuard } from '../imports/upload.options';
import type { UploadedCatalogueFile } from '../imports/upload-storage';

/** `POST /api/gpsr/` (admin): a GPSR spreadsheet, normalised by dbu-worker like `pnpm dbu normalize-gpsr`. */
@ApiTags('imports')
@ApiSecurity('token')
@ApiUnauthorizedResponse({ description: 'No or invalid token' })
@ApiForbiddenResponse({ description: 'Address not allowed, or not an admin' })
@Admin()
@Controller('api/gpsr')
export class GpsrController {
  constructor(private readonly imports: ImportApiService) {}

  @Post()
  @HttpCode(202)
  @UseGuards(UploadLimitGuard)
  @UseInterceptors(FileInterceptor('file'))
  @ApiOperation({
    summary: 'Upload a GPSR spreadsheet (manufacturer data, any header wording); runs as an import of kind gpsr',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody(UPLOAD_BODY)
  @ApiAcceptedResponse({ description: 'Queued; poll /api/imports/{id}/' })
  @ApiBadRequestResponse()
  @ApiConflictResponse({ description: 'The same file was normalised before' })
  @ApiPayloadTooLargeResponse()
  upload(
    @UploadedFile() file: UploadedCatalogueFile | undefined,
    @Body() dto: ImportUploadDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.imports.accept('gpsr', file, dto, principal);
  }
}
