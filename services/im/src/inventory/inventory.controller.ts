import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Endpoint, pageNumberLinks, type PageLinks } from '@pjs/http';
import { InventoryPageSchema, InventoryQuerySchema, type InventoryQuery } from './inventory.schemas';
import { InventoryRepository, type InventoryPage } from './inventory.repository';

@ApiTags('inventory')
@Controller('api')
export class InventoryController {
  constructor(private readonly inventory: InventoryRepository) {}

  @Get('inventory')
  @Endpoint({
    summary: 'Visible items with quantities, DBU details and the summed total value',
    description: '`total_value` (Σ quantity × unit_price) and `total_quantity` cover every item matching the filters.',
    query: InventoryQuerySchema,
    responses: { 200: InventoryPageSchema, 400: 'validation_failed, naming the query field' },
  })
  async list(@Query() query: InventoryQuery, @Req() request: FastifyRequest): Promise<InventoryPage & PageLinks> {
    const page = await this.inventory.list(query);
    const { count, ...rest } = page;
    // The page shape of every list first (count, next, previous), then this list's own fields.
    return { count, ...pageNumberLinks(request, page), ...rest };
  }
}
