import {
  CATALOGUE_FIELDS,
  CATALOGUE_HEADER_VARIANTS,
  REQUIRED_CATALOGUE_FIELDS,
} from '../import-profiles/column-mapping';
import { TRACKED_PRODUCT_FIELDS } from '../history/product-history.types';
import { CONTENT_HASH, STAGE_VALUE_COLUMNS } from '../imports/stage/stage-columns';
import { IMPORT_FIELDS, PRODUCT_COLUMNS, PRODUCT_FIELDS } from './product-fields';

/**
 * What the field table derives for each consumer. Some of it is persisted (history rows name
 * columns; every imported product stores the fingerprint over the staging columns), so these
 * lists may only grow at the end.
 */
describe('the product field table', () => {
  it('gives the history its tracked columns, in the order of one change', () => {
    expect(TRACKED_PRODUCT_FIELDS).toEqual([
      'ean',
      'title',
      'description',
      'manufacturer_id',
      'license_id',
      'category_id',
      'purchase_price',
      'rrp',
      'release_date',
      'weight_kg',
      'image_url',
      'safety_warnings',
      'discount_percent',
      'discount_amount',
      'discount_order_number',
      'is_deleted',
    ]);
    expect(Object.fromEntries(PRODUCT_COLUMNS.map((c) => [c.name, c.type]))).toMatchObject({
      manufacturer_id: 'int',
      release_date: 'date',
      rrp: 'numeric',
      is_deleted: 'boolean',
    });
  });

  it('gives the import its fields, required ones and header wordings', () => {
    expect(CATALOGUE_FIELDS).toEqual([
      'item_no',
      'ean',
      'title',
      'description',
      'manufacturer',
      'license',
      'category',
      'purchase_price',
      'rrp',
      'release_date',
      'weight_kg',
      'image_url',
      'safety_warnings',
    ]);
    expect(REQUIRED_CATALOGUE_FIELDS).toEqual(['item_no', 'title']);
    expect(CATALOGUE_HEADER_VARIANTS.rrp).toContain('UVP');
    expect(IMPORT_FIELDS.every((f) => f.headers.length > 0)).toBe(true);
  });

  it('keeps the staging columns and the content fingerprint of every imported product', () => {
    expect(STAGE_VALUE_COLUMNS).toEqual([
      'item_no',
      'ean',
      'title',
      'description',
      'manufacturer',
      'manufacturer_key',
      'license',
      'license_key',
      'category',
      'purchase_price',
      'rrp',
      'release_date',
      'weight_kg',
      'image_url',
      'safety_warnings',
    ]);
    const hashed = STAGE_VALUE_COLUMNS.filter((c) => c !== 'manufacturer' && c !== 'license');
    expect(CONTENT_HASH).toBe(`md5('v1' || ${hashed.map((c) => `E'\\x1f' || coalesce(${c}, E'\\x1e')`).join(' || ')})`);
  });

  it('names every field and column once', () => {
    const names = PRODUCT_FIELDS.map((f) => f.name);
    const columns = PRODUCT_FIELDS.flatMap((f) => f.columns.map((c) => c.name));
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(columns).size).toBe(columns.length);
  });
});
