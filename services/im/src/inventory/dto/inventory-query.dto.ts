import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { PaginationQueryDto } from './pagination.dto';

export const INVENTORY_ORDERINGS = [
  'item_no',
  '-item_no',
  'title',
  '-title',
  'quantity',
  '-quantity',
  'value',
  '-value',
  'release_date',
  '-release_date',
] as const;
export type InventoryOrdering = (typeof INVENTORY_ORDERINGS)[number];

const toBool = ({ value }: { value: unknown }): unknown => {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
};

export class InventoryQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'Substring of the item number or title (ours or DBU’s), case-insensitive' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({ description: 'DBU license, case-insensitive exact match' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  license?: string;

  @ApiPropertyOptional({ description: 'DBU category; matches it and its sub-categories (prefix, case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  category?: string;

  @ApiPropertyOptional({ description: 'true: quantity > 0; false: quantity = 0' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  in_stock?: boolean;

  @ApiPropertyOptional({ description: 'true: items with DBU details; false: items still missing them' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  has_details?: boolean;

  @ApiPropertyOptional({ description: 'DBU release date on or after (YYYY-MM-DD)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  release_from?: string;

  @ApiPropertyOptional({ description: 'DBU release date on or before (YYYY-MM-DD)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  release_to?: string;

  @ApiPropertyOptional({ enum: INVENTORY_ORDERINGS, default: 'item_no' })
  @IsOptional()
  @IsIn(INVENTORY_ORDERINGS)
  ordering: InventoryOrdering = 'item_no';
}
