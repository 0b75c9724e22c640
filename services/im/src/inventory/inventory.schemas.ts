import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Obj, Text } from '@pjs/http';
import { PageOf, PageQueryFields, type PageQuery } from '../common/pagination.schema';

export const INVENTORY_ORDERINGS = [
  'item_no',
  '-item_no',
  'title',
  '-title',
  'quantity',
  '-quantity',
  'value',
  '-value',
  'release_date',
  '-release_date',
] as const;
export type InventoryOrdering = (typeof INVENTORY_ORDERINGS)[number];

/** `true`/`false` (also `1`/`0`, as DRF clients send them). */
const Flag = (description: string) =>
  Type.Unsafe<'true' | 'false' | '1' | '0'>({
    type: 'string',
    enum: ['true', 'false', '1', '0'],
    description,
    errorMessage: 'must be true or false',
  });

/** A calendar day; the date format takes year 0000, which PostgreSQL's date refuses (a 500). */
const Day = (description: string) =>
  Type.String({
    format: 'date',
    pattern: '^(?!0000)',
    description,
    example: '2026-05-01',
    errorMessage: 'must be a date as YYYY-MM-DD from the year 1 on',
  });

export const InventoryQuerySchema = Obj({
  search: Type.Optional(
    Text(200, { description: 'Substring of the item number or title (ours or DBU’s), case-insensitive' }),
  ),
  license: Type.Optional(Text(200, { description: 'DBU license, case-insensitive exact match' })),
  category: Type.Optional(
    Text(1000, { description: 'DBU category; matches it and its sub-categories (prefix, case-insensitive)' }),
  ),
  in_stock: Type.Optional(Flag('true: quantity > 0; false: quantity = 0')),
  has_details: Type.Optional(Flag('true: items with DBU details; false: items still missing them')),
  release_from: Type.Optional(Day('DBU release date on or after (YYYY-MM-DD)')),
  release_to: Type.Optional(Day('DBU release date on or before (YYYY-MM-DD)')),
  ordering: Type.Optional(
    Type.Unsafe<InventoryOrdering>({ type: 'string', enum: [...INVENTORY_ORDERINGS], default: 'item_no' }),
  ),
  ...PageQueryFields,
});
/** The query after validation (defaults filled in). */
export type InventoryQuery = Static<typeof InventoryQuerySchema> & PageQuery & { ordering: InventoryOrdering };

export const ItemDetailsViewSchema = Type.Object(
  {
    title: Nullable(Type.String()),
    ean: Nullable(Type.String()),
    manufacturer: Nullable(Type.String()),
    license: Nullable(Type.String()),
    category: Nullable(Type.String()),
    release_date: Nullable(Type.String({ format: 'date' })),
    rrp: Nullable(Type.String({ example: '19.99' })),
    image_url: Nullable(Type.String()),
    photo_urls: Type.Array(Type.String(), { description: 'Where DBU serves the stored photos' }),
    gpsr_complete: Type.Boolean(),
    dbu_updated_at: Nullable(Type.String({ format: 'date-time' })),
    synced_at: Type.String({ format: 'date-time' }),
  },
  { title: 'InventoryItemDetails' },
);

const InventoryItemSchema = Type.Object(
  {
    item_no: Type.String(),
    title: Type.String(),
    quantity: Type.Integer(),
    unit_price: Nullable(Type.String({ example: '12.50' })),
    value: Type.String({ description: 'quantity × unit_price (0.00 without a price)', example: '37.50' }),
    updated_at: Type.String({ format: 'date-time' }),
    details: Nullable(ItemDetailsViewSchema),
  },
  { title: 'InventoryItem' },
);

export const InventoryPageSchema = PageOf(
  InventoryItemSchema,
  {
    total_quantity: Type.Integer({ description: 'Over every item matching the filters, not only this page' }),
    total_value: Type.String({ description: 'Σ quantity × unit_price over every matching item', example: '37.60' }),
  },
  'InventoryPage',
);
