import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Endpoint } from '@pjs/http';
import { ChangesPage, type ChangesQuery, ChangesQuerySchema } from './product-change.schemas';
import { changesPageJson, ProductChangeService } from './product-change.service';

const JSON_TYPE = 'application/json; charset=utf-8';

/** `GET /api/products/changes/`: the catalogue's changes in commit order, for followers such as IM. */
@ApiTags('products')
@Controller('api/products/changes')
export class ProductChangeController {
  constructor(private readonly changes: ProductChangeService) {}

  @Get()
  @Header('Content-Type', JSON_TYPE)
  @Endpoint({
    summary: 'Changed and deleted products in commit order, after a cursor (keyset)',
    description:
      'Every product insert, update, soft or hard delete is logged in its own transaction. A page holds only ' +
      'changes of transactions that had finished when it was read, so following `next` never skips a change ' +
      'that commits later. Each change carries the product as it is now (null when its row is gone).',
    query: ChangesQuerySchema,
    responses: {
      200: ChangesPage,
      400: 'A malformed cursor or limit (validation_failed)',
      410: 'The changes after this cursor were removed by retention (cursor_expired): copy again, continue from head',
    },
  })
  async list(@Query() query: ChangesQuery): Promise<string> {
    return changesPageJson(await this.changes.page(query.after, query.limit));
  }
}
