import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export const MAX_SIGNAL_ITEMS = 10_000;

/** `POST /api/signal/`: an empty body asks for the details of items that have none. */
export class SignalDto {
  @ApiPropertyOptional({
    enum: ['missing', 'all'],
    default: 'missing',
    description: '`missing`: items without DBU details; `all`: refresh every item',
  })
  @IsOptional()
  @IsIn(['missing', 'all'])
  scope?: 'missing' | 'all';

  @ApiPropertyOptional({ type: [String], description: 'refresh only these item numbers' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SIGNAL_ITEMS)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(64, { each: true })
  item_nos?: string[];
}
