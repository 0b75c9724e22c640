import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Endpoint } from '@pjs/http';
import { IdempotencyHeaders, IdempotencyResponses, IdempotentWrites } from '@pjs/idempotency';
import {
  type ImportProfileCreateBody,
  ImportProfileCreateBodySchema,
  ImportProfileList,
  type ImportProfilePatchBody,
  ImportProfilePatchBodySchema,
  ImportProfileSchema,
  MappingSuggestionSchema,
  ProfileIdParams,
  type SuggestMappingBody,
  SuggestMappingBodySchema,
} from './import-profile.schemas';
import { ImportProfileService, ProfileNotFoundException, type MappingSuggestion } from './import-profile.service';
import type { ImportProfile } from './import-profile.types';

/** `/api/import-profiles/…`: how each wholesaler's files are read. Only translates HTTP. */
@ApiTags('imports')
@Controller('api/import-profiles')
export class ImportProfileController {
  constructor(
    private readonly profiles: ImportProfileService,
    private readonly writes: IdempotentWrites,
  ) {}

  @Get()
  @Endpoint({ summary: 'All import profiles', responses: { 200: ImportProfileList } })
  async list(): Promise<{ count: number; results: ImportProfile[] }> {
    const results = await this.profiles.list();
    return { count: results.length, results };
  }

  @Post('suggest')
  @HttpCode(200)
  @Endpoint({
    summary: 'Suggest a column mapping for sample headers (German and English variants)',
    body: SuggestMappingBodySchema,
    responses: { 200: MappingSuggestionSchema, 400: 'A bad field' },
  })
  suggest(@Body() body: SuggestMappingBody): MappingSuggestion {
    return this.profiles.suggest(body.headers, body.column_map);
  }

  @Post()
  @Endpoint({
    summary: 'Create a profile; with sample_headers and no column_map, the suggestion becomes the map',
    body: ImportProfileCreateBodySchema,
    headers: IdempotencyHeaders,
    responses: {
      201: ImportProfileSchema,
      400: 'A bad field',
      409: 'The name is taken (profile_exists)',
      ...IdempotencyResponses,
    },
  })
  create(
    @Body() body: ImportProfileCreateBody,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportProfile & { suggestion?: MappingSuggestion }> {
    return this.writes.answer(request, reply, (tx) => this.profiles.create(body, tx));
  }

  @Get(':id')
  @Endpoint({
    summary: 'One import profile',
    params: ProfileIdParams,
    responses: { 200: ImportProfileSchema, 404: 'No such profile' },
  })
  get(@Param('id') id: string): Promise<ImportProfile> {
    return this.profiles.get(profileId(id));
  }

  @Put(':id')
  @Endpoint({
    summary: 'Replace a profile (omitted settings return to their defaults)',
    params: ProfileIdParams,
    body: ImportProfileCreateBodySchema,
    headers: IdempotencyHeaders,
    responses: {
      200: ImportProfileSchema,
      400: 'A bad field',
      404: 'No such profile',
      409: 'The name is taken',
      ...IdempotencyResponses,
    },
  })
  replace(
    @Param('id') id: string,
    @Body() body: ImportProfileCreateBody,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.writes.answer(request, reply, (tx) => this.profiles.update(profileId(id), body, true, tx));
  }

  @Patch(':id')
  @Endpoint({
    summary: 'Change some settings of a profile',
    params: ProfileIdParams,
    body: ImportProfilePatchBodySchema,
    headers: IdempotencyHeaders,
    responses: {
      200: ImportProfileSchema,
      400: 'A bad field',
      404: 'No such profile',
      409: 'The name is taken',
      ...IdempotencyResponses,
    },
  })
  patch(
    @Param('id') id: string,
    @Body() body: ImportProfilePatchBody,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.writes.answer(request, reply, (tx) => this.profiles.update(profileId(id), body, false, tx));
  }

  @Delete(':id')
  @HttpCode(204)
  @Endpoint({
    summary: 'Delete a profile (past imports keep the settings they ran with)',
    params: ProfileIdParams,
    headers: IdempotencyHeaders,
    responses: { 204: { description: 'Deleted' }, 404: 'No such profile', ...IdempotencyResponses },
  })
  async remove(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.writes.answer(request, reply, (tx) => this.profiles.remove(profileId(id), tx));
  }
}

function profileId(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new ProfileNotFoundException(text);
  return Number(text);
}
