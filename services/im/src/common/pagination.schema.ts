import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { Int, Obj, PageLinkFields } from '@pjs/http';

export const MAX_PAGE_SIZE = 500;
const MAX_PAGE = 2_147_483_647;

/**
 * `?page=&page_size=` (page_size ≤ 500), as in DBU: the query fields of every paged list. Both are
 * optional; the schema fills in the defaults, so handlers always see them (PageQuery).
 */
export const PageQueryFields = {
  page: Type.Optional(Int(1, MAX_PAGE, { default: 1, description: 'Page number, from 1' })),
  page_size: Type.Optional(
    Int(1, MAX_PAGE_SIZE, { default: 50, description: `Items per page (at most ${MAX_PAGE_SIZE})` }),
  ),
};

export const PageQuerySchema = Obj(PageQueryFields);

/** A page query after validation: the defaults are filled in. */
export interface PageQuery {
  page: number;
  page_size: number;
}

/**
 * The answer of a paged list: the page shape of every list (`count` over every page, `next` /
 * `previous` links, this page's `results`) with its `page`, `page_size` and `extra` fields.
 */
export function PageOf<T extends TSchema, P extends TProperties>(item: T, extra: P, title: string) {
  return Type.Object(
    {
      count: Type.Integer({ description: 'Matching items over all pages' }),
      ...PageLinkFields,
      page: Type.Integer(),
      page_size: Type.Integer(),
      ...extra,
      results: Type.Array(item),
    },
    { title },
  );
}
