import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { MAX_PAGE_SIZE } from '../../catalogue/pagination';

const blankToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() || undefined : value;

/** `GET /api/products/{item_no}/history/` query parameters. */
export class HistoryQueryDto {
  @ApiPropertyOptional({
    description: 'Show the product as it was at this ISO-8601 time, and only the changes up to then',
    example: '2024-05-01T12:00:00Z',
  })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsISO8601({ strict: true }, { message: 'must be an ISO-8601 date or timestamp' })
  as_of?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Transform(blankToUndefined)
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Transform(blankToUndefined)
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE}` })
  page_size?: number;
}
