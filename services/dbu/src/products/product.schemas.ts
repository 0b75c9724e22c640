import {
  BooleanText,
  Checked,
  Nullable,
  Obj,
  Text,
  Type,
  type Static,
  type TProperties,
  type TSchema,
} from '@pjs/http';
import { WEIGHT } from '../catalogue/decimal';
import {
  PRODUCT_FIELDS,
  productField,
  type ProductField,
  type ProductFieldName,
  type ProductFieldSpec,
} from '../catalogue/product-fields';
import {
  CALENDAR_DATE,
  CATEGORY_REF,
  DISCOUNT_VALUE,
  GTIN,
  HTTP_URL,
  ISO_TIMESTAMP,
  ITEM_NUMBER,
  ITEM_NUMBER_LIST,
  MAX_BATCH_ITEMS,
  MONEY_VALUE,
  WEIGHT_VALUE,
} from '../catalogue/validators';
import { Filter, pageOf, pageQuery } from '../shared/api-schemas';
import { MAX_CURSOR_LENGTH, PRODUCT_ORDERINGS, type ProductOrdering } from './product-cursor';

/** `GET /api/products/` query parameters. */
export const ProductListQuerySchema = Obj({
  search: Type.Optional(
    Text(200, {
      description:
        'Substring of the title or item number (case-insensitive), or an exact EAN. Shorter than 3 characters: exact item number or EAN only.',
    }),
  ),
  license: Type.Optional(Text(200, { description: 'License id or name' })),
  category: Type.Optional(
    Text(1000, { description: 'Category id, path, external id or name; includes its subcategories' }),
  ),
  manufacturer: Type.Optional(Text(300, { description: 'Manufacturer id or name' })),
  updated_since: Type.Optional(
    Filter(
      Checked(ISO_TIMESTAMP, Type.String({ example: '2024-05-01T00:00:00Z' })),
      'must be an ISO-8601 date or timestamp',
    ),
  ),
  item_no: Type.Optional(
    Filter(
      Checked(ITEM_NUMBER_LIST, Type.String({ example: 'A-1,B-2' })),
      `must list 1-${MAX_BATCH_ITEMS} comma-separated item numbers of at most 64 characters`,
    ),
  ),
  complete: Type.Optional(Filter(BooleanText('GPSR completeness of the manufacturer data'), 'must be true or false')),
  changed_in_import: Type.Optional(
    Filter(
      Type.String({ format: 'uuid', description: 'Products written by this import run' }),
      'must be an import id (UUID)',
    ),
  ),
  include_deleted: Type.Optional(Filter(BooleanText('Also list soft-deleted products'), 'must be true or false')),
  ordering: Type.Optional(
    Type.Unsafe<ProductOrdering>({
      type: 'string',
      enum: [...PRODUCT_ORDERINGS],
      default: 'item_no',
      description: 'Sort by this column, then by item_no; a leading `-` sorts descending',
      errorMessage: `must be one of ${PRODUCT_ORDERINGS.join(', ')}`,
    }),
  ),
  cursor: Type.Optional(
    Text(MAX_CURSOR_LENGTH, {
      description:
        'Keyset paging for long lists: empty (`cursor=`) for the first page, then the `next_cursor` or ' +
        '`previous_cursor` of an answer (or follow its `next` / `previous` link). `page` is ignored; `count` ' +
        "is then the planner's estimate when large (`count_is_estimate`). A cursor belongs to its `ordering`.",
    }),
  ),
  ...pageQuery(),
});
export type ProductListQuery = Static<typeof ProductListQuerySchema>;

/** A field's write schema, by its kind in the product field table; null clears it unless required. */
function writeSchema(field: ProductField): TSchema {
  const spec: ProductFieldSpec = field;
  const doc = {
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.example ? { example: spec.example } : {}),
  };
  const nullable = (schema: TSchema): TSchema => (spec.required ? schema : Nullable(schema));
  const max = spec.maxLength ?? 1000;
  switch (field.value) {
    case 'item_no':
      return Checked(ITEM_NUMBER, Text(max, doc));
    case 'ean':
      return Checked(GTIN, nullable(Text(max, doc)));
    case 'line':
    case 'name':
      return nullable(Text(max, { minLength: 1, ...doc }));
    case 'text':
      return nullable(Text(max, doc));
    case 'url':
      return Checked(HTTP_URL, nullable(Text(max, doc)));
    case 'category':
      return Checked(CATEGORY_REF, nullable(Text(max, doc)));
    case 'decimal':
      return Checked(field.decimal === WEIGHT ? WEIGHT_VALUE : MONEY_VALUE, nullable(Type.String(doc)));
    case 'date':
      return Checked(CALENDAR_DATE, nullable(Type.String({ format: 'date', ...doc })), 'must be a date as YYYY-MM-DD');
    case 'discount':
      return Checked(DISCOUNT_VALUE, nullable(Type.String(doc)));
    case 'flag':
      return Type.Boolean(doc);
  }
}

const schemaOf = (name: ProductFieldName) => writeSchema(productField(name));

/** Every field an admin write may carry, optional (PATCH changes only what it sends). */
const optionalFields: TProperties = Object.fromEntries(
  PRODUCT_FIELDS.filter((f) => f.write === 'always').map((f) => [f.name, Type.Optional(writeSchema(f))]),
);

/** `POST /api/products/`. */
export const ProductCreateBodySchema = Obj(
  { ...optionalFields, item_no: schemaOf('item_no'), title: schemaOf('title') },
  { title: 'ProductCreate' },
);

/** `PUT /api/products/{item_no}/`: the whole product; omitted fields are cleared. Restores a deleted one. */
export const ProductReplaceBodySchema = Obj(
  { ...optionalFields, title: schemaOf('title') },
  { title: 'ProductReplace' },
);

/** `PATCH /api/products/{item_no}/`: only the fields sent change. */
export const ProductPatchBodySchema = Obj(
  { ...optionalFields, is_deleted: Type.Optional(schemaOf('is_deleted')) },
  { title: 'ProductPatch' },
);

/** The value of a field in a write body. */
type WriteValue<F extends ProductField> = F extends { value: 'flag' }
  ? boolean
  : F extends { required: true }
    ? string
    : string | null;

/** The fields any write body may carry (what the admin service turns into columns). */
export type ProductFields = {
  [F in Extract<ProductField, { write: 'always' }> as F['name']]?: WriteValue<F>;
};
export type ProductCreateBody = ProductFields & { item_no: string; title: string };
export type ProductReplaceBody = ProductFields & { title: string };
export type ProductPatchBody = ProductFields & { is_deleted?: boolean };

/*
 * The shapes the product routes answer (documentation only: PostgreSQL builds the JSON, see
 * product.queries.ts). Money is a string with two decimals, in EUR.
 */
const NamedRef = Obj({ id: Type.Integer(), name: Type.String() }, { title: 'NamedRef' });
const CategoryRef = Obj(
  { id: Type.Integer(), name: Type.String(), path: Type.String(), parent_id: Nullable(Type.Integer()) },
  { title: 'CategoryRef' },
);
const Discount = Obj(
  {
    type: Type.Union([Type.Literal('percent'), Type.Literal('amount')]),
    value: Type.String({ example: '5.00' }),
    order_number: Nullable(Type.String({ description: 'The e-mailed order that set it' })),
  },
  { title: 'Discount' },
);
const text = () => Nullable(Type.String());
const Address = Obj(
  {
    street: text(),
    postal_code: text(),
    city: text(),
    country: Nullable(Type.String({ description: 'ISO 3166-1 alpha-2' })),
  },
  { title: 'Address' },
);
const EuResponsible = Obj({ name: text(), address: text(), email: text() }, { title: 'EuResponsiblePerson' });
const ManufacturerDetail = Obj(
  {
    id: Type.Integer(),
    name: Type.String(),
    address: Address,
    email: text(),
    contact_url: text(),
    eu_responsible_person: Nullable(EuResponsible),
  },
  { title: 'ManufacturerDetail' },
);
const Gpsr = Obj(
  {
    complete: Type.Boolean(),
    missing: Type.Array(Type.String(), {
      description:
        'What is missing: manufacturer, manufacturer_name, manufacturer_address, manufacturer_contact, eu_responsible_person',
    }),
  },
  { title: 'Gpsr' },
);
const Photo = Obj(
  {
    id: Type.Integer(),
    url: Type.String({ description: 'Where the photo comes from' }),
    status: Type.Union([Type.Literal('pending'), Type.Literal('stored'), Type.Literal('failed')]),
    path: Nullable(Type.String({ description: 'Stored file under MEDIA_DIR' })),
    content_type: text(),
    bytes: Nullable(Type.Integer()),
    sha256: text(),
    file_url: Nullable(
      Type.String({
        description:
          'Where dbu-web serves the stored file (PUBLIC_BASE_URL + /media/photos/<sha256>.<ext>; a path when ' +
          'PUBLIC_BASE_URL is unset); null until stored',
      }),
    ),
    fetched_at: Nullable(Type.String({ format: 'date-time' })),
  },
  { title: 'Photo' },
);
const common = {
  item_no: Type.String(),
  ean: text(),
  title: Type.String(),
  license: Nullable(NamedRef),
  category: Nullable(CategoryRef),
  purchase_price: Nullable(Type.String({ example: '12.50' })),
  rrp: Nullable(Type.String({ example: '19.99' })),
  release_date: Nullable(Type.String({ format: 'date' })),
  weight_kg: Nullable(Type.String({ example: '0.250' })),
  image_url: text(),
  photo_urls: Type.Array(Type.String(), {
    description: 'Served URLs of the stored photos (PUBLIC_BASE_URL + /media/photos/<sha256>.<ext>)',
  }),
  discount: Nullable(Discount),
  gpsr_complete: Type.Boolean(),
  is_deleted: Type.Boolean(),
  last_import_id: Nullable(Type.String({ format: 'uuid' })),
  updated_at: Type.String({ format: 'date-time' }),
};

export const ProductListItem = Obj({ ...common, manufacturer: Nullable(NamedRef) }, { title: 'ProductListItem' });
export const ProductDetail = Obj(
  {
    ...common,
    description: text(),
    manufacturer: Nullable(ManufacturerDetail),
    safety_warnings: text(),
    gpsr: Gpsr,
    photos: Type.Array(Photo),
    created_at: Type.String({ format: 'date-time' }),
  },
  { title: 'ProductDetail' },
);
const pageShape = pageOf(ProductListItem, 'ProductPage');
export const ProductPage = Obj(
  {
    ...pageShape.properties,
    count_is_estimate: Type.Optional(
      Type.Boolean({
        description: "With `cursor` only: true when `count` is the planner's estimate rather than an exact count",
      }),
    ),
    next_cursor: Type.Optional(Nullable(Type.String({ description: "With `cursor` only: the next page's cursor" }))),
    previous_cursor: Type.Optional(
      Nullable(Type.String({ description: "With `cursor` only: the previous page's cursor" })),
    ),
  },
  { title: 'ProductPage' },
);
