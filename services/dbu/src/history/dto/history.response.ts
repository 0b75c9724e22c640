import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class HistorySourceDto {
  @ApiProperty({ enum: ['import', 'api', 'email', 'system'] }) type!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Import id, API token name or e-mail order number',
  })
  ref!: string | null;
}

export class HistoryEntryDto {
  @ApiProperty() id!: number;
  @ApiProperty({ description: 'Column name, e.g. rrp, discount_percent, is_deleted' }) field!: string;
  @ApiProperty({ type: String, nullable: true }) old_value!: string | null;
  @ApiProperty({ type: String, nullable: true }) new_value!: string | null;
  @ApiProperty() source!: HistorySourceDto;
  @ApiProperty({ type: String, nullable: true, description: 'The user behind the change' }) actor!: string | null;
  @ApiProperty({ format: 'date-time' }) changed_at!: string;
}

export class HistoryPageDto {
  @ApiProperty() item_no!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) as_of!: string | null;
  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'With as_of: the product then (null when it did not exist yet)',
  })
  state?: Record<string, unknown> | null;
  @ApiProperty() count!: number;
  @ApiProperty({ type: String, nullable: true }) next!: string | null;
  @ApiProperty({ type: String, nullable: true }) previous!: string | null;
  @ApiProperty({ type: [HistoryEntryDto] }) results!: HistoryEntryDto[];
}
