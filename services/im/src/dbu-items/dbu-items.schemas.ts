import { Type, type Static } from '@sinclair/typebox';
import { Int, Nullable, Obj } from '@pjs/http';
import { NonBlankText } from '../common/text.schema';

/** `POST /api/query-dbu-item/`: search DBU's catalogue by title (also matches item number and EAN). */
export const QueryDbuItemSchema = Obj(
  {
    title: NonBlankText(200, { example: 'Millennium Falcon' }),
    limit: Type.Optional(Int(1, 200, { default: 50, description: 'Hits to return (1–200)' })),
  },
  { title: 'QueryDbuItem' },
);
export type QueryDbuItemBody = Static<typeof QueryDbuItemSchema>;

/** `POST /api/confirm-item/`: take a DBU product into the inventory with its details. */
export const ConfirmItemSchema = Obj(
  { product_no: NonBlankText(64, { description: "DBU's item number", example: 'ABC-001' }) },
  { title: 'ConfirmItem' },
);
export type ConfirmItemBody = Static<typeof ConfirmItemSchema>;

const productFields = {
  item_no: Type.String(),
  title: Type.String(),
  ean: Nullable(Type.String()),
  manufacturer: Nullable(Type.String()),
  license: Nullable(Type.String()),
  category: Nullable(Type.String()),
  release_date: Nullable(Type.String({ format: 'date' })),
  rrp: Nullable(Type.String({ example: '149.99' })),
  image_url: Nullable(Type.String()),
  photo_urls: Type.Array(Type.String(), { description: 'Where DBU serves the stored photos' }),
};

export const DbuSearchResultSchema = Type.Object(
  {
    count: Type.Integer({ description: 'All hits in DBU' }),
    results: Type.Array(
      Type.Object(
        {
          ...productFields,
          gpsr_complete: Nullable(Type.Boolean()),
          updated_at: Nullable(Type.String({ format: 'date-time' })),
          in_inventory: Type.Boolean({ description: 'Already an item of ours' }),
        },
        { title: 'DbuSearchHit' },
      ),
    ),
  },
  { title: 'DbuSearchResult' },
);

export const ConfirmResultSchema = Type.Object(
  {
    status: Type.Unsafe<'created' | 'updated'>({ type: 'string', enum: ['created', 'updated'] }),
    item_no: Type.String(),
    item_created: Type.Boolean(),
    details: Type.Object(
      {
        ...productFields,
        title: Nullable(Type.String()),
        gpsr_complete: Type.Boolean(),
        dbu_updated_at: Nullable(Type.String({ format: 'date-time' })),
        synced_at: Type.String({ format: 'date-time' }),
      },
      { title: 'ItemDetails' },
    ),
  },
  { title: 'ConfirmResult' },
);
