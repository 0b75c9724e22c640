import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, ValidateBy } from 'class-validator';

export const MAX_EMAIL_ITEMS = 5000;

const IsOrderNumber = (): PropertyDecorator =>
  ValidateBy({
    name: 'isOrderNumber',
    validator: {
      validate: (value: unknown) =>
        (typeof value === 'string' && value.trim().length > 0 && value.trim().length <= 100) ||
        (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0),
      defaultMessage: () => 'is required: 1-100 characters (or a whole number)',
    },
  });

export class EmailDataItemDto {
  @ApiProperty({ example: 'ABC-001' }) item_no!: string;
  @ApiProperty({ example: '5%', description: '"5%" (percent, 0-100) or "2.50" (EUR)' }) discount!: string;
}

/** `POST /api/email-data/`: discounts parsed from a supplier's order e-mail. */
export class EmailDataDto {
  @ApiProperty({ example: 'ORD-2024-0815', description: 'The order the discounts come from' })
  @IsOrderNumber()
  order_number!: string | number;

  @ApiProperty({
    type: [EmailDataItemDto],
    description: `Up to ${MAX_EMAIL_ITEMS} rows; invalid rows are skipped (and reported), not rejected`,
  })
  @IsArray({ message: 'must be a list of {item_no, discount} objects' })
  @ArrayMaxSize(MAX_EMAIL_ITEMS, { message: `must have at most ${MAX_EMAIL_ITEMS} rows` })
  items!: unknown[];
}

export class SkippedRowDto {
  @ApiProperty({ description: 'Position in items (from 0)' }) index!: number;
  @ApiProperty({ type: String, nullable: true }) item_no!: string | null;
  @ApiProperty() reason!: string;
}

export class EmailDataResultDto {
  @ApiProperty() order_number!: string;
  @ApiProperty({ description: 'Rows whose discount was set' }) applied!: number;
  @ApiProperty({ description: 'Rows skipped: invalid, unknown item, or already applied for this order' })
  skipped!: number;
  @ApiProperty({ type: [SkippedRowDto] }) skipped_rows!: SkippedRowDto[];
}
