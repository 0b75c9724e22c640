import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Endpoint } from '@pjs/http';
import { ItemParamsSchema } from '../catalogue/product-api';
import { pageLinks } from '../shared/pagination';
import { HistoryPage, type HistoryQuery, HistoryQuerySchema } from './history.schemas';
import { ProductHistoryService } from './product-history.service';

/** `GET /api/products/{item_no}/history/`. */
@ApiTags('products')
@Controller('api/products')
export class HistoryController {
  constructor(private readonly history: ProductHistoryService) {}

  @Get(':item_no/history')
  @Endpoint({
    summary: 'Every change of a product, field by field, newest first; with as_of also the product as it was then',
    params: ItemParamsSchema,
    query: HistoryQuerySchema,
    responses: { 200: HistoryPage, 400: 'A bad as_of or page parameter', 404: 'No such product, or page past the end' },
  })
  async list(
    @Param('item_no') itemNo: string,
    @Query() query: HistoryQuery,
    @Req() request: FastifyRequest,
  ): Promise<Record<string, unknown>> {
    const result = await this.history.page(itemNo, query);
    const links = pageLinks(request, result.page, result.count);
    return {
      item_no: result.item_no,
      as_of: result.as_of,
      ...(result.state !== undefined ? { state: result.state } : {}),
      count: result.count,
      next: links.next,
      previous: links.previous,
      results: result.results,
    };
  }
}
