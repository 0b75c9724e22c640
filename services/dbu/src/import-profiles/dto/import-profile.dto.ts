import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { DATE_FORMATS, type DateFormat, type DecimalSeparator } from '../../imports/field-parsers';
import type { ProfileDelimiter, ProfileEncoding } from '../../imports/file-sniffer';
import { DECIMAL_SEPARATORS, PROFILE_DELIMITERS, PROFILE_ENCODINGS } from '../import-profile.types';

const oneOf = (values: readonly string[]) => ({ message: `must be one of: ${values.join(', ')}` });

/** The settings of a profile besides its name; every one optional (defaults apply on create). */
class ImportProfileSettingsDto {
  @ApiPropertyOptional({ maxLength: 200, nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString({ message: 'must be text' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  wholesaler?: string | null;

  @ApiPropertyOptional({ enum: PROFILE_DELIMITERS, description: '`auto` detects it from the header line' })
  @IsOptional()
  @IsIn(PROFILE_DELIMITERS, oneOf(PROFILE_DELIMITERS))
  delimiter?: ProfileDelimiter;

  @ApiPropertyOptional({ enum: DECIMAL_SEPARATORS, description: '`,` for 1.234,50; `.` for 1,234.50' })
  @IsOptional()
  @IsIn(DECIMAL_SEPARATORS, oneOf(DECIMAL_SEPARATORS))
  decimal_separator?: DecimalSeparator;

  @ApiPropertyOptional({ enum: DATE_FORMATS, description: 'ISO YYYY-MM-DD is always understood as well' })
  @IsOptional()
  @IsIn(DATE_FORMATS, oneOf(DATE_FORMATS))
  date_format?: DateFormat;

  @ApiPropertyOptional({ enum: PROFILE_ENCODINGS, description: 'A byte-order mark always wins' })
  @IsOptional()
  @IsIn(PROFILE_ENCODINGS, oneOf(PROFILE_ENCODINGS))
  encoding?: ProfileEncoding;

  @ApiPropertyOptional({ nullable: true, description: 'XLSX: the sheet to read (default: the first)' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString({ message: 'must be text' })
  @Length(1, 100, { message: 'must be 1-100 characters' })
  sheet_name?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    description: 'Source header → catalogue field; null ignores the column. Other headers are matched automatically.',
    example: { Artikelnummer: 'item_no', Intern: null },
  })
  @IsOptional()
  @IsObject({ message: 'must be an object of header → field' })
  column_map?: Record<string, string | null>;

  @ApiPropertyOptional({ type: [String], description: 'Headers of a sample file: the answer suggests a mapping' })
  @IsOptional()
  @IsArray({ message: 'must be a list of header texts' })
  @ArrayMaxSize(500, { message: 'must have at most 500 headers' })
  @IsString({ each: true, message: 'must be a list of header texts' })
  sample_headers?: string[];

  @ApiPropertyOptional({ description: 'Used for imports that name no profile' })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  is_default?: boolean;
}

export class ImportProfilePatchDto extends ImportProfileSettingsDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString({ message: 'must be text' })
  @Length(1, 100, { message: 'must be 1-100 characters' })
  name?: string;
}

export class ImportProfileCreateDto extends ImportProfileSettingsDto {
  @ApiProperty({ maxLength: 100 })
  @IsString({ message: 'must be text' })
  @Length(1, 100, { message: 'must be 1-100 characters' })
  name!: string;
}

export class SuggestMappingDto {
  @ApiProperty({ type: [String], example: ['Artikelnummer', 'Bezeichnung', 'EK-Preis', 'Lagerbestand'] })
  @IsArray({ message: 'must be a list of header texts' })
  @ArrayMaxSize(500, { message: 'must have at most 500 headers' })
  @IsString({ each: true, message: 'must be a list of header texts' })
  headers!: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string', nullable: true } })
  @IsOptional()
  @IsObject({ message: 'must be an object of header → field' })
  column_map?: Record<string, string | null>;
}
