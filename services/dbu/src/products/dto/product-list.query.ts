import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { MAX_PAGE_SIZE } from '../../catalogue/pagination';
import { IsItemNumberList, MAX_BATCH_ITEMS } from '../../catalogue/validators';

/** Blank query values count as absent (DRF ignores `?search=`). */
const blankToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() || undefined : value;

const BOOLEAN_TEXT = ['true', 'false'];

/** `GET /api/products/` query parameters. */
export class ProductListQueryDto {
  @ApiPropertyOptional({
    description:
      'Substring of the title or item number (case-insensitive), or an exact EAN. Shorter than 3 characters: exact item number or EAN only.',
    maxLength: 200,
  })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString({ message: 'must be text' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  search?: string;

  @ApiPropertyOptional({ description: 'License id or name' })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString({ message: 'must be a license id or name' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  license?: string;

  @ApiPropertyOptional({ description: 'Category id, path, external id or name; includes its subcategories' })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString({ message: 'must be a category id, path or name' })
  @MaxLength(1000, { message: 'must be at most 1000 characters' })
  category?: string;

  @ApiPropertyOptional({ description: 'Manufacturer id or name' })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString({ message: 'must be a manufacturer id or name' })
  @MaxLength(300, { message: 'must be at most 300 characters' })
  manufacturer?: string;

  @ApiPropertyOptional({
    description: 'Only products changed at or after this ISO-8601 time',
    example: '2024-05-01T00:00:00Z',
  })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsISO8601({ strict: true }, { message: 'must be an ISO-8601 date or timestamp' })
  updated_since?: string;

  @ApiPropertyOptional({
    description: `Batch lookup: up to ${MAX_BATCH_ITEMS} comma-separated item numbers`,
    example: 'A-1,B-2',
  })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsItemNumberList()
  item_no?: string;

  @ApiPropertyOptional({ description: 'GPSR completeness of the manufacturer data', enum: BOOLEAN_TEXT })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsIn(BOOLEAN_TEXT, { message: 'must be true or false' })
  complete?: string;

  @ApiPropertyOptional({ description: 'Products written by this import run (its id)', format: 'uuid' })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsUUID('all', { message: 'must be an import id (UUID)' })
  changed_in_import?: string;

  @ApiPropertyOptional({ description: 'Also list soft-deleted products', enum: BOOLEAN_TEXT })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsIn(BOOLEAN_TEXT, { message: 'must be true or false' })
  include_deleted?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Transform(blankToUndefined)
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  page?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    description: 'Default 50; for an item_no batch, the number of items asked for',
  })
  @IsOptional()
  @Transform(blankToUndefined)
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE}` })
  page_size?: number;
}
