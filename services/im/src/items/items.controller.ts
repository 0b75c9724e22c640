import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Admin } from '@pjs/auth';
import { PaginationQueryDto } from '../inventory/dto/pagination.dto';
import { ItemNotFoundException } from '../stock/stock.exception';
import { ItemsRepository, type MovementsPage } from './items.repository';

@ApiTags('stock')
@ApiSecurity('token')
@Admin()
@Controller('api/items')
export class ItemsController {
  constructor(private readonly items: ItemsRepository) {}

  @Get([':item_no/movements', ':item_no/movements/'])
  @ApiOperation({ summary: 'The stock ledger of one item, newest first (deleted items keep their history)' })
  async movements(@Param('item_no') itemNo: string, @Query() query: PaginationQueryDto): Promise<MovementsPage> {
    const page = await this.items.movements(itemNo, query.page, query.page_size);
    if (!page) throw new ItemNotFoundException(itemNo);
    return page;
  }
}
