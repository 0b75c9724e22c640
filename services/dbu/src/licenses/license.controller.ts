import { Controller, Get, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request } from 'express';
import { MAX_PAGE_SIZE, assertPageExists, pageLinks, pageRequest } from '../catalogue/pagination';
import { ErrorDto } from '../products/dto/product.response';
import { LicenseRepository, type LicenseRow } from './license.repository';

const blankToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() || undefined : value;

export class LicenseQueryDto {
  @ApiPropertyOptional({ description: 'Substring of the name' })
  @IsOptional()
  @Transform(blankToUndefined)
  @IsString({ message: 'must be text' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  search?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Transform(blankToUndefined)
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 100 })
  @IsOptional()
  @Transform(blankToUndefined)
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `must be at most ${MAX_PAGE_SIZE}` })
  page_size?: number;
}

export class LicenseDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class LicensePageDto {
  @ApiProperty() count!: number;
  @ApiProperty({ type: String, nullable: true }) next!: string | null;
  @ApiProperty({ type: String, nullable: true }) previous!: string | null;
  @ApiProperty({ type: [LicenseDto] }) results!: LicenseDto[];
}

/** `GET /api/licenses/`: read-only, paginated like products, ordered by name. */
@ApiTags('metadata')
@ApiSecurity('token')
@ApiUnauthorizedResponse({ type: ErrorDto })
@Controller('api/licenses')
export class LicenseController {
  constructor(private readonly licenses: LicenseRepository) {}

  @Get()
  @ApiOperation({ summary: 'Licenses (brands / franchises), by name' })
  @ApiOkResponse({ type: LicensePageDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  async list(
    @Query() query: LicenseQueryDto,
    @Req() req: Request,
  ): Promise<{ count: number; next: string | null; previous: string | null; results: LicenseRow[] }> {
    const page = pageRequest(query.page, query.page_size, 100);
    const { count, rows } = await this.licenses.page({ search: query.search, limit: page.limit, offset: page.offset });
    assertPageExists(page, count);
    return { count, ...pageLinks(req, page, count), results: rows };
  }
}
