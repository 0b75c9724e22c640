import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { ErrorDto } from '../products/dto/product.response';
import { CategoryService, type CategoryNode } from './category.service';

export class CategoryQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'A flat list with parent_id instead of the tree' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() || undefined : value))
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  flat?: string;
}

export class CategoryNodeDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() path!: string;
  @ApiProperty({ type: String, nullable: true }) external_id!: string | null;
  @ApiProperty({ type: Number, nullable: true }) parent_id!: number | null;
  @ApiProperty({ type: () => [CategoryNodeDto], description: 'Empty in the flat list' }) children!: CategoryNodeDto[];
}

export class CategoryTreeDto {
  @ApiProperty({ description: 'Number of categories' }) count!: number;
  @ApiProperty({ type: [CategoryNodeDto], description: 'Root categories with nested children' })
  results!: CategoryNodeDto[];
}

/** `GET /api/categories/`: read-only. */
@ApiTags('metadata')
@ApiSecurity('token')
@ApiExtraModels(CategoryNodeDto)
@ApiUnauthorizedResponse({ type: ErrorDto })
@Controller('api/categories')
export class CategoryController {
  constructor(private readonly categories: CategoryService) {}

  @Get()
  @ApiOperation({ summary: 'The category tree (or ?flat=true for a flat list)' })
  @ApiOkResponse({ type: CategoryTreeDto })
  async list(
    @Query() query: CategoryQueryDto,
  ): Promise<{ count: number; results: CategoryNode[] | Omit<CategoryNode, 'children'>[] }> {
    return query.flat === 'true' ? this.categories.flat() : this.categories.tree();
  }
}
