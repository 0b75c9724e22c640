import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The product columns an import's fingerprint (`content_hash`) covers. */
const FINGERPRINTED = [
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
];

/**
 * `content_hash` is what lets a re-import skip unchanged rows, so it must never vouch for content
 * it has not seen: any write that changes a fingerprinted column without setting a new hash (API
 * edits, GPSR links, manual SQL) forgets it, and the next import compares that product field by field.
 */
export class ContentHashGuard1732320000000 implements MigrationInterface {
  name = 'ContentHashGuard1732320000000';

  async up(q: QueryRunner): Promise<void> {
    const old = FINGERPRINTED.map((c) => `OLD.${c}`).join(', ');
    const next = FINGERPRINTED.map((c) => `NEW.${c}`).join(', ');
    await q.query(`
      CREATE FUNCTION products_forget_stale_hash() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.content_hash IS NOT DISTINCT FROM OLD.content_hash
           AND ROW(${next}) IS DISTINCT FROM ROW(${old}) THEN
          NEW.content_hash := NULL;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER products_forget_stale_hash BEFORE UPDATE ON products
        FOR EACH ROW WHEN (OLD.content_hash IS NOT NULL)
        EXECUTE FUNCTION products_forget_stale_hash()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER products_forget_stale_hash ON products`);
    await q.query(`DROP FUNCTION products_forget_stale_hash()`);
  }
}
