import { MONEY, WEIGHT, type DecimalRule } from './decimal';

/**
 * The product's fields, written once. Each entry says what the field is called (in API bodies
 * and import mappings), which `products` columns hold it, what kind of value it is, how long it
 * may be, and under which headers a wholesaler's file may carry it. From this one table come:
 *
 * - the admin write schemas and how a body becomes column values (products/),
 * - the import's column mapping, the reading of each cell and the staging table (imports/),
 * - the merge SQL that compares, writes and records each field (imports/merge/),
 * - the columns whose changes the history records (history/) and their SQL types.
 *
 * The order is the order of the history rows of one change, and of the staging table's columns
 * (which the content fingerprint of every imported product is computed from: append, never
 * reorder).
 */

/** What kind of value a field holds; decides its check, how a cell is read and how it merges. */
export type ValueKind =
  /** The key: 1-64 characters (see ITEM_NO_PATTERN). */
  | 'item_no'
  /** EAN-8 / UPC-A / EAN-13 / GTIN-14 with a valid check digit. */
  | 'ean'
  /** Single-line text (blanks collapsed when imported). */
  | 'line'
  /** Multi-line text. */
  | 'text'
  /** An http(s) URL. */
  | 'url'
  /** A name kept in a name table (manufacturers, licenses), found or created by its name key. */
  | 'name'
  /** A category by id, path or external id (imports create missing paths). */
  | 'category'
  /** An exact decimal (EUR amounts, kilograms). */
  | 'decimal'
  /** A calendar date. */
  | 'date'
  /** "5%" (percent) or "2.50" (EUR); kept in three columns with the e-mailed order that set it. */
  | 'discount'
  /** true / false. */
  | 'flag';

export type SqlType = 'varchar' | 'text' | 'int' | 'numeric' | 'date' | 'boolean';

export interface ProductColumnSpec {
  name: string;
  type: SqlType;
}

export interface ProductFieldSpec {
  /** Its name in API bodies, import mappings and profiles' column maps. */
  name: string;
  value: ValueKind;
  /** The `products` columns that hold it (the history records each by its name). */
  columns: readonly ProductColumnSpec[];
  /** Longest text accepted (characters). */
  maxLength?: number;
  /** `decimal`: digits before and after the point. */
  decimal?: DecimalRule;
  /** `name`: the name table. */
  names?: 'manufacturers' | 'licenses';
  /** Who may set it through the API: every admin write, the creation only, or PATCH only. */
  write?: 'always' | 'create' | 'patch';
  /** Documentation of the write schemas. */
  description?: string;
  example?: string;
  /** Import: the header wordings a file may use (compared after headerKey; the German one first). */
  headers?: readonly string[];
  /** Every product has it: never null, a create or replace body must give it, a file must have a column for it. */
  required?: boolean;
  /** Import: a longer limit than the API's (files carry what the wholesaler wrote). */
  importMaxLength?: number;
}

const col = <N extends string, T extends SqlType>(name: N, type: T) => ({ name, type });

export const PRODUCT_FIELDS = [
  {
    name: 'item_no',
    value: 'item_no',
    columns: [col('item_no', 'varchar')],
    maxLength: 64,
    write: 'create',
    example: 'ABC-001',
    required: true,
    headers: [
      'Artikelnummer',
      'Artikel-Nr.',
      'Art.-Nr.',
      'ArtNr',
      'Artikel',
      'Bestellnummer',
      'Item No',
      'Item Number',
      'Item',
      'SKU',
      'Product No',
      'Product Number',
      'Article Number',
    ],
  },
  {
    name: 'ean',
    value: 'ean',
    columns: [col('ean', 'varchar')],
    maxLength: 32,
    write: 'always',
    example: '4006381333931',
    headers: ['EAN', 'EAN13', 'EAN-Code', 'GTIN', 'Barcode', 'UPC'],
  },
  {
    name: 'title',
    value: 'line',
    columns: [col('title', 'varchar')],
    maxLength: 500,
    write: 'always',
    required: true,
    headers: [
      'Bezeichnung',
      'Artikelbezeichnung',
      'Produktname',
      'Artikelname',
      'Titel',
      'Name',
      'Title',
      'Product Name',
      'Product Title',
      'Item Name',
    ],
  },
  {
    name: 'description',
    value: 'text',
    columns: [col('description', 'text')],
    maxLength: 100_000,
    write: 'always',
    headers: ['Beschreibung', 'Langtext', 'Produktbeschreibung', 'Description', 'Long Description', 'Details'],
  },
  {
    name: 'manufacturer',
    value: 'name',
    names: 'manufacturers',
    columns: [col('manufacturer_id', 'int')],
    maxLength: 300,
    write: 'always',
    description: 'Manufacturer name (created if new)',
    headers: ['Hersteller', 'Marke', 'Herstellername', 'Manufacturer', 'Brand', 'Vendor', 'Maker'],
  },
  {
    name: 'license',
    value: 'name',
    names: 'licenses',
    columns: [col('license_id', 'int')],
    maxLength: 200,
    write: 'always',
    description: 'License name (created if new)',
    headers: ['Lizenz', 'Lizenzthema', 'Marke/Lizenz', 'License', 'Licence', 'Franchise', 'Property'],
  },
  {
    name: 'category',
    value: 'category',
    columns: [col('category_id', 'int')],
    maxLength: 1000,
    write: 'always',
    description: 'Category id, path or external id (must exist)',
    example: 'Figuren > Vinyl',
    headers: ['Kategorie', 'Warengruppe', 'Produktgruppe', 'Category', 'Product Group', 'Product Type'],
  },
  {
    name: 'purchase_price',
    value: 'decimal',
    decimal: MONEY,
    columns: [col('purchase_price', 'numeric')],
    write: 'always',
    description: 'EUR, exact decimal',
    example: '12.50',
    headers: [
      'EK-Preis',
      'EK',
      'Einkaufspreis',
      'Händlerpreis',
      'Netto-EK',
      'Purchase Price',
      'Cost',
      'Cost Price',
      'Dealer Price',
      'Net Price',
      'Wholesale Price',
    ],
  },
  {
    name: 'rrp',
    value: 'decimal',
    decimal: MONEY,
    columns: [col('rrp', 'numeric')],
    write: 'always',
    description: 'EUR, exact decimal',
    example: '19.99',
    headers: [
      'UVP',
      'VK',
      'Verkaufspreis',
      'Empf. VK',
      'RRP',
      'MSRP',
      'SRP',
      'Retail Price',
      'Recommended Retail Price',
    ],
  },
  {
    name: 'release_date',
    value: 'date',
    columns: [col('release_date', 'date')],
    write: 'always',
    example: '2025-03-01',
    headers: [
      'Erscheinungsdatum',
      'Erscheinungstermin',
      'Erscheinung',
      'Release',
      'Release Date',
      'Liefertermin',
      'Veröffentlichung',
      'Available From',
    ],
  },
  {
    name: 'weight_kg',
    value: 'decimal',
    decimal: WEIGHT,
    columns: [col('weight_kg', 'numeric')],
    write: 'always',
    example: '0.250',
    headers: ['Gewicht (kg)', 'Gewicht', 'Gewicht in kg', 'Weight', 'Weight (kg)', 'Weight kg'],
  },
  {
    name: 'image_url',
    value: 'url',
    columns: [col('image_url', 'varchar')],
    maxLength: 1000,
    write: 'always',
    example: 'https://img.example.com/a.jpg',
    headers: ['Bild-URL', 'Bild', 'Bildlink', 'Bild URL', 'Image URL', 'Image', 'Picture', 'Photo URL', 'Image Link'],
  },
  {
    name: 'safety_warnings',
    value: 'text',
    columns: [col('safety_warnings', 'text')],
    maxLength: 20_000,
    importMaxLength: 100_000,
    write: 'always',
    headers: ['Sicherheitshinweise', 'Warnhinweise', 'Safety Warnings', 'Safety Information', 'Warnings'],
  },
  {
    name: 'discount',
    value: 'discount',
    columns: [
      col('discount_percent', 'numeric'),
      col('discount_amount', 'numeric'),
      col('discount_order_number', 'varchar'),
    ],
    write: 'always',
    description: '"5%" (percent) or "2.50" (EUR)',
    example: '5%',
  },
  {
    name: 'is_deleted',
    value: 'flag',
    columns: [col('is_deleted', 'boolean')],
    write: 'patch',
    description: 'false restores a soft-deleted product',
  },
] as const satisfies readonly ProductFieldSpec[];

export type ProductField = (typeof PRODUCT_FIELDS)[number];
export type ProductFieldName = ProductField['name'];

/** The fields a catalogue file can carry (in table order). */
export type ImportField = Extract<ProductField, { headers: readonly string[] }>;
export type ImportFieldName = ImportField['name'];
export const IMPORT_FIELDS: readonly ImportField[] = PRODUCT_FIELDS.filter((f): f is ImportField => 'headers' in f);

/** Every writable column of `products` besides the key, with its SQL type (history records each). */
export const PRODUCT_COLUMNS: readonly ProductColumnSpec[] = PRODUCT_FIELDS.filter(
  (f) => f.value !== 'item_no',
).flatMap((f): readonly ProductColumnSpec[] => f.columns);

export function productField<N extends ProductFieldName>(name: N): Extract<ProductField, { name: N }> {
  return PRODUCT_FIELDS.find((f) => f.name === name) as Extract<ProductField, { name: N }>;
}
