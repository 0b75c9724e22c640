import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import {
  ERROR_POLICIES,
  IMPORT_STATUSES,
  type ErrorPolicy,
  type ImportKind,
  type ImportStatus,
} from '../import-run.types';

const BOOLEAN_TEXT = ['true', 'false', '1', '0'];

/** The text fields of the multipart upload (besides `file`). */
export class ImportUploadDto {
  @ApiPropertyOptional({ description: 'Import profile id or name (default: the default profile)' })
  @IsOptional()
  @IsString({ message: 'must be a profile id or name' })
  @MaxLength(100, { message: 'must be at most 100 characters' })
  profile?: string;

  @ApiPropertyOptional({ enum: ERROR_POLICIES, default: 'apply-valid' })
  @IsOptional()
  @IsIn(ERROR_POLICIES, { message: `must be one of: ${ERROR_POLICIES.join(', ')}` })
  error_policy?: ErrorPolicy;

  @ApiPropertyOptional({ enum: BOOLEAN_TEXT, description: 'Compute the diff only, change nothing' })
  @IsOptional()
  @IsIn(BOOLEAN_TEXT, { message: 'must be true or false' })
  dry_run?: string;

  @ApiPropertyOptional({ enum: BOOLEAN_TEXT, description: 'Import even if this file content was imported before' })
  @IsOptional()
  @IsIn(BOOLEAN_TEXT, { message: 'must be true or false' })
  force?: string;
}

export class ImportListQueryDto {
  @ApiPropertyOptional({ enum: IMPORT_STATUSES })
  @IsOptional()
  @IsIn(IMPORT_STATUSES, { message: `must be one of: ${IMPORT_STATUSES.join(', ')}` })
  status?: ImportStatus;

  @ApiPropertyOptional({ enum: ['catalogue', 'gpsr'] })
  @IsOptional()
  @IsIn(['catalogue', 'gpsr'], { message: 'must be catalogue or gpsr' })
  kind?: ImportKind;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(100, { message: 'must be at most 100' })
  page_size?: number;
}

export const isTrue = (value: string | undefined): boolean => value === 'true' || value === '1';
