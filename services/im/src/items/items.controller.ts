import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Endpoint, Obj, Type, pageNumberLinks, type PageLinks } from '@pjs/http';
import { ItemNumber } from '../common/text.schema';
import { PageOf, PageQuerySchema, type PageQuery } from '../common/pagination.schema';
import { MovementSchema } from '../stock/stock.schemas';
import { ItemNotFoundException } from '../stock/stock.exception';
import { ItemsRepository, type MovementsPage } from './items.repository';

const ItemParams = Obj({ item_no: ItemNumber });

const MovementsPageSchema = PageOf(
  MovementSchema,
  {
    item_no: Type.String(),
    quantity: Type.Integer(),
    is_deleted: Type.Boolean(),
    ledger_sum: Type.Integer({ description: 'Σ amount over the whole ledger; always equals quantity' }),
  },
  'MovementsPage',
);

@ApiTags('stock')
@Controller('api/items')
export class ItemsController {
  constructor(private readonly items: ItemsRepository) {}

  @Get(':item_no/movements')
  @Endpoint({
    summary: 'The stock ledger of one item, newest first (deleted items keep their history)',
    params: ItemParams,
    query: PageQuerySchema,
    responses: { 200: MovementsPageSchema, 404: 'item_not_found' },
  })
  async movements(
    @Param('item_no') itemNo: string,
    @Query() query: PageQuery,
    @Req() request: FastifyRequest,
  ): Promise<MovementsPage & PageLinks> {
    const page = await this.items.movements(itemNo, query.page, query.page_size);
    if (!page) throw new ItemNotFoundException(itemNo);
    const { count, ...rest } = page;
    // The page shape of every list first (count, next, previous), then this list's own fields.
    return { count, ...pageNumberLinks(request, page), ...rest };
  }
}
