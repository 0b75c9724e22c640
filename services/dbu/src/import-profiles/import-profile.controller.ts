import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Admin } from '@pjs/auth';
import { ImportProfileCreateDto, ImportProfilePatchDto, SuggestMappingDto } from './dto/import-profile.dto';
import { ImportProfileService, ProfileNotFoundException, type MappingSuggestion } from './import-profile.service';
import type { ImportProfile } from './import-profile.types';

/** `/api/import-profiles/…` (admin): how each wholesaler's files are read. Only translates HTTP. */
@ApiTags('imports')
@ApiSecurity('token')
@ApiUnauthorizedResponse({ description: 'No or invalid token' })
@ApiForbiddenResponse({ description: 'Address not allowed, or not an admin' })
@Admin()
@Controller('api/import-profiles')
export class ImportProfileController {
  constructor(private readonly profiles: ImportProfileService) {}

  @Get()
  @ApiOperation({ summary: 'All import profiles' })
  async list(): Promise<{ count: number; results: ImportProfile[] }> {
    const results = await this.profiles.list();
    return { count: results.length, results };
  }

  @Post('suggest')
  @HttpCode(200)
  @ApiOperation({ summary: 'Suggest a column mapping for sample headers (German and English variants)' })
  @ApiBadRequestResponse()
  suggest(@Body() dto: SuggestMappingDto): MappingSuggestion {
    return this.profiles.suggest(dto.headers, dto.column_map);
  }

  @Post()
  @ApiOperation({ summary: 'Create a profile; with sample_headers and no column_map, the suggestion becomes the map' })
  @ApiBadRequestResponse()
  @ApiConflictResponse({ description: 'The name is taken' })
  create(@Body() dto: ImportProfileCreateDto): Promise<ImportProfile & { suggestion?: MappingSuggestion }> {
    return this.profiles.create(dto);
  }

  @Get(':id')
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<ImportProfile> {
    return this.profiles.get(profileId(id));
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a profile (omitted settings return to their defaults)' })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The name is taken' })
  replace(@Param('id') id: string, @Body() dto: ImportProfileCreateDto) {
    return this.profiles.update(profileId(id), dto, true);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some settings of a profile' })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The name is taken' })
  patch(@Param('id') id: string, @Body() dto: ImportProfilePatchDto) {
    return this.profiles.update(profileId(id), dto, false);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a profile (past imports keep the settings they ran with)' })
  @ApiNotFoundResponse()
  async remove(@Param('id') id: string): Promise<void> {
    await this.profiles.remove(profileId(id));
  }
}

function profileId(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new ProfileNotFoundException(text);
  return Number(text);
}
