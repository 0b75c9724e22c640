import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Endpoint, Obj, Text, Type, type Static } from '@pjs/http';
import { assertPageExists, pageLinks, pageRequest } from '../shared/pagination';
import { filterValue, pageOf, pageQuery } from '../shared/api-schemas';
import { LicenseRepository, type LicenseRow } from './license.repository';

const DEFAULT_SIZE = 100;

export const LicenseQuerySchema = Obj({
  search: Type.Optional(Text(200, { description: 'Substring of the name' })),
  ...pageQuery(DEFAULT_SIZE),
});
export type LicenseQuery = Static<typeof LicenseQuerySchema>;

const License = Obj(
  { id: Type.Integer(), name: Type.String(), created_at: Type.String({ format: 'date-time' }) },
  { title: 'License' },
);

/** `GET /api/licenses/`: read-only, paginated like products, ordered by name. */
@ApiTags('metadata')
@Controller('api/licenses')
export class LicenseController {
  constructor(private readonly licenses: LicenseRepository) {}

  @Get()
  @Endpoint({
    summary: 'Licenses (brands / franchises), by name',
    query: LicenseQuerySchema,
    responses: { 200: pageOf(License, 'LicensePage'), 400: 'A bad parameter', 404: 'Page past the end' },
  })
  async list(
    @Query() query: LicenseQuery,
    @Req() request: FastifyRequest,
  ): Promise<{ count: number; next: string | null; previous: string | null; results: LicenseRow[] }> {
    const page = pageRequest(query.page, query.page_size, DEFAULT_SIZE);
    const { count, rows } = await this.licenses.page({
      search: filterValue(query.search),
      limit: page.limit,
      offset: page.offset,
    });
    assertPageExists(page, count);
    return { count, ...pageLinks(request, page, count), results: rows };
  }
}
