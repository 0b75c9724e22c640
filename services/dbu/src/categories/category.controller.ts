import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { BooleanText, Endpoint, Nullable, Obj, Type, type Static } from '@pjs/http';
import { Filter, filterValue } from '../shared/api-schemas';
import { CategoryService, type CategoryNode } from './category.service';

export const CategoryQuerySchema = Obj({
  flat: Type.Optional(Filter(BooleanText('A flat list with parent_id instead of the tree'), 'must be true or false')),
});
export type CategoryQuery = Static<typeof CategoryQuerySchema>;

/** Documentation only: `children` holds nodes of the same shape (OpenAPI 3.0 shows one level). */
const CategoryNodeSchema = Obj(
  {
    id: Type.Integer(),
    name: Type.String(),
    path: Type.String(),
    external_id: Nullable(Type.String()),
    parent_id: Nullable(Type.Integer()),
    children: Type.Array(Type.Object({}, { additionalProperties: true, title: 'CategoryNode' }), {
      description: 'Subcategories, each a CategoryNode; empty in the flat list',
    }),
  },
  { title: 'CategoryNode' },
);

const CategoryTree = Obj(
  {
    count: Type.Integer({ description: 'Number of categories' }),
    results: Type.Array(CategoryNodeSchema, { description: 'Root categories with nested children' }),
  },
  { title: 'CategoryTree' },
);

/** `GET /api/categories/`: read-only. */
@ApiTags('metadata')
@Controller('api/categories')
export class CategoryController {
  constructor(private readonly categories: CategoryService) {}

  @Get()
  @Endpoint({
    summary: 'The category tree (or ?flat=true for a flat list)',
    query: CategoryQuerySchema,
    responses: { 200: CategoryTree, 400: 'A bad flat' },
  })
  async list(
    @Query() query: CategoryQuery,
  ): Promise<{ count: number; results: CategoryNode[] | Omit<CategoryNode, 'children'>[] }> {
    return filterValue(query.flat) === 'true' ? this.categories.flat() : this.categories.tree();
  }
}
