import { ErrorSchema, Int, Nullable, Obj, Type, type TSchema } from '@pjs/http';

/**
 * Schemas every part of the API shares: the error body, page parameters, the DRF page envelope
 * and the "blank means absent" rule of query filters.
 */
export { ErrorSchema };

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** `?page=&page_size=` of a DRF-style paginated list. */
export function pageQuery(defaultSize = DEFAULT_PAGE_SIZE, maxSize = MAX_PAGE_SIZE) {
  return {
    page: Type.Optional(Type.Integer({ minimum: 1, description: 'Page number, from 1', example: 1 })),
    page_size: Type.Optional(Int(1, maxSize, { description: `Rows per page (default ${defaultSize})` })),
  };
}

/** `{"count","next","previous","results"}` around the given row schema. */
export function pageOf(row: TSchema, title: string) {
  return Obj(
    {
      count: Type.Integer({ description: 'Rows matching, over all pages' }),
      next: Nullable(Type.String({ format: 'uri', description: 'The next page, absolute' })),
      previous: Nullable(Type.String({ format: 'uri', description: 'The previous page, absolute' })),
      results: Type.Array(row),
    },
    { title },
  );
}

/**
 * A query filter where a blank value (`?complete=`) means the filter is not given, as DRF's
 * filters read them; any other value must match `schema`. The service trims the value and drops
 * it when blank.
 */
export function Filter<T extends TSchema>(schema: T, errorMessage: string) {
  return Type.Unsafe<string>({
    anyOf: [{ type: 'string', pattern: '^\\s*$', description: 'blank: the filter is not applied' }, schema],
    errorMessage,
  });
}

/** A trimmed query value, undefined when blank or absent. */
export function filterValue(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text ? text : undefined;
}
