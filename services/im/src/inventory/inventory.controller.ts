import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Admin } from '@pjs/auth';
import { InventoryQueryDto } from './dto/inventory-query.dto';
import { InventoryRepository, type InventoryPage } from './inventory.repository';

@ApiTags('inventory')
@ApiSecurity('token')
@Admin()
@Controller('api')
export class InventoryController {
  constructor(private readonly inventory: InventoryRepository) {}

  @Get(['inventory', 'inventory/'])
  @ApiOperation({
    summary: 'Visible items with quantities, DBU details and the summed total value',
    description: '`total_value` (Σ quantity × unit_price) and `total_quantity` cover every item matching the filters.',
  })
  list(@Query() query: InventoryQueryDto): Promise<InventoryPage> {
    return this.inventory.list(query);
  }
}
