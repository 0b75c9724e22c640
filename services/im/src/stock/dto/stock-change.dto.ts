import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const MAX_STOCK_AMOUNT = 1_000_000;

/** Numbers may arrive as strings (`"3"`), item and order numbers as numbers. */
const numberFromString = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number.parseInt(value, 10) : value;
const stringFromNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'number' && Number.isSafeInteger(value)
    ? String(value)
    : typeof value === 'string'
      ? value.trim()
      : value;

/** Links a stock change to an order by its order number; optional. */
export class OrderReferenceDto {
  @ApiPropertyOptional({ description: 'The order number this change belongs to (e.g. "1234").', example: '1234' })
  @IsOptional()
  @Transform(stringFromNumber)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  order_id?: string;

  @ApiPropertyOptional({ description: 'Free text kept in the ledger.', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class StockChangeDto extends OrderReferenceDto {
  @ApiProperty({ example: 'ABC-001', maxLength: 64 })
  @Transform(stringFromNumber)
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  item_no!: string;

  @ApiProperty({ example: 3, minimum: 1, maximum: MAX_STOCK_AMOUNT, description: 'A whole number; may be a string.' })
  @Transform(numberFromString)
  @IsInt()
  @Min(1)
  @Max(MAX_STOCK_AMOUNT)
  amount!: number;
}

/** `DELETE /api/delete-item/` and `POST /api/restore-item/`: item_no in the body (or the query). */
export class ItemReferenceDto extends OrderReferenceDto {
  @ApiPropertyOptional({ example: 'ABC-001', maxLength: 64, description: 'Required (here or as ?item_no=).' })
  @IsOptional()
  @Transform(stringFromNumber)
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  item_no?: string;
}

/** The `Idempotency-Key` header: 1–200 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
