import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiGatewayTimeoutResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Admin } from '@pjs/auth';
import { ConfirmItemDto } from './dto/confirm-item.dto';
import { QueryDbuItemDto } from './dto/query-dbu-item.dto';
import { DbuItemsService, type ConfirmResult, type DbuSearchHit } from './dbu-items.service';

/** Admin routes that read DBU live: search the catalogue, take a product into the inventory. */
@ApiTags('dbu')
@ApiSecurity('token')
@ApiBadGatewayResponse({ description: 'DBU unreachable, failing or refusing our credentials (`dbu_*` codes)' })
@ApiGatewayTimeoutResponse({ description: 'DBU did not answer within DBU_TIMEOUT (`dbu_timeout`)' })
@Admin()
@Controller('api')
export class DbuItemsController {
  constructor(private readonly dbuItems: DbuItemsService) {}

  @Post(['query-dbu-item', 'query-dbu-item/'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Search DBU by title (item number and EAN match too)' })
  query(@Body() body: QueryDbuItemDto): Promise<{ count: number; results: DbuSearchHit[] }> {
    return this.dbuItems.search(body.title, body.limit);
  }

  @Post(['confirm-item', 'confirm-item/'])
  @ApiOperation({
    summary: 'Import a product from DBU: creates the item (quantity 0) if missing and stores its details',
  })
  @ApiNotFoundResponse({ description: 'DBU has no product with this number' })
  async confirm(@Body() body: ConfirmItemDto, @Res({ passthrough: true }) res: Response): Promise<ConfirmResult> {
    const result = await this.dbuItems.confirm(body.product_no);
    res.status(result.item_created ? 201 : 200);
    return result;
  }
}
