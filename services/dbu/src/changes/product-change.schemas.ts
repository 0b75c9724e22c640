import { Int, Nullable, Obj, Text, Type, type Static } from '@pjs/http';
import { ProductListItem } from '../products/product.schemas';

export const DEFAULT_CHANGES_LIMIT = 500;
export const MAX_CHANGES_LIMIT = 1000;

/** `GET /api/products/changes/` query parameters. */
export const ChangesQuerySchema = Obj({
  after: Type.Optional(
    Text(80, {
      description: 'The `next` cursor of the previous answer; omitted: from the oldest change still kept',
    }),
  ),
  limit: Type.Optional(
    Int(1, MAX_CHANGES_LIMIT, { description: `Changes per answer (default ${DEFAULT_CHANGES_LIMIT})` }),
  ),
});
export type ChangesQuery = Static<typeof ChangesQuerySchema>;

const Change = Obj(
  {
    item_no: Type.String(),
    deleted: Type.Boolean({ description: 'The product is deleted (soft or for good) now' }),
    product: Nullable(ProductListItem), // as it is now; null when its row is gone
  },
  { title: 'ProductChange' },
);

export const ChangesPage = Obj(
  {
    results: Type.Array(Change, { description: 'Changes in log order (by committing transaction)' }),
    next: Type.String({ description: 'Opaque cursor: pass it as `after` to continue' }),
    has_more: Type.Boolean({ description: 'More changes can be read right away' }),
    head: Type.String({
      description: 'A cursor at the end of what can be read now: continue from it after copying the whole catalogue',
    }),
  },
  { title: 'ProductChangesPage' },
);
