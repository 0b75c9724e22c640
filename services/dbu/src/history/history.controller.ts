import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { pageLinks } from '../catalogue/pagination';
import { ErrorDto } from '../products/dto/product.response';
import { HistoryQueryDto } from './dto/history.query';
import { HistoryPageDto } from './dto/history.response';
import { ProductHistoryService } from './product-history.service';

/** `GET /api/products/{item_no}/history/`. */
@ApiTags('products')
@ApiSecurity('token')
@ApiUnauthorizedResponse({ type: ErrorDto })
@Controller('api/products')
export class HistoryController {
  constructor(private readonly history: ProductHistoryService) {}

  @Get(':item_no/history')
  @ApiOperation({
    summary: 'Every change of a product, field by field, newest first; with as_of also the product as it was then',
  })
  @ApiOkResponse({ type: HistoryPageDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async list(
    @Param('item_no') itemNo: string,
    @Query() query: HistoryQueryDto,
    @Req() req: Request,
  ): Promise<Record<string, unknown>> {
    const result = await this.history.page(itemNo, query);
    const links = pageLinks(req, result.page, result.count);
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
