import type { MigrationInterface, QueryRunner } from 'typeorm';

const EU = `'AT','BE','BG','CY','CZ','DE','DK','EE','ES','FI','FR','GR','HR','HU','IE','IT','LT','LU','LV','MT','NL','PL','PT','RO','SE','SI','SK'`;
const blank = (column: string) => `coalesce(btrim(${column}), '') = ''`;

/**
 * What a manufacturer lacks for GPSR (same rules as src/catalogue/gpsr.ts): name, postal address,
 * e-mail or contact URL, and an EU responsible person (name, address, e-mail) outside the EU.
 */
const GPSR_MISSING = `array_remove(ARRAY[
    CASE WHEN ${blank('name')} THEN 'manufacturer_name' END,
    CASE WHEN ${blank('street')} OR ${blank('postal_code')} OR ${blank('city')} OR ${blank('country')}
         THEN 'manufacturer_address' END,
    CASE WHEN ${blank('email')} AND ${blank('contact_url')} THEN 'manufacturer_contact' END,
    CASE WHEN upper(coalesce(country, '')) NOT IN (${EU})
          AND (${blank('eu_responsible_name')} OR ${blank('eu_responsible_address')} OR ${blank('eu_responsible_email')})
         THEN 'eu_responsible_person' END
  ]::text[], NULL)`;

/**
 * The catalogue: products keyed by the wholesaler's item number, their manufacturers (with GPSR
 * data), licenses, the category tree, photos, a field-level change history and the ledger of
 * e-mailed discounts. Money columns are numeric(12,2) (EUR); `updated_at` is set by the writers.
 */
export class CatalogueSchema1732300000000 implements MigrationInterface {
  name = 'CatalogueSchema1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE manufacturers (
        id                     serial PRIMARY KEY,
        name                   varchar(300) NOT NULL,
        name_key               varchar(300) NOT NULL UNIQUE,
        street                 varchar(300),
        postal_code            varchar(20),
        city                   varchar(200),
        country                char(2),
        email                  varchar(254),
        contact_url            varchar(500),
        eu_responsible_name    varchar(300),
        eu_responsible_address text,
        eu_responsible_email   varchar(254),
        gpsr_missing           text[] GENERATED ALWAYS AS (${GPSR_MISSING}) STORED,
        gpsr_complete          boolean GENERATED ALWAYS AS (cardinality(${GPSR_MISSING}) = 0) STORED,
        created_at             timestamptz NOT NULL DEFAULT now(),
        updated_at             timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE licenses (
        id         serial PRIMARY KEY,
        name       varchar(200) NOT NULL,
        name_key   varchar(200) NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE categories (
        id          serial PRIMARY KEY,
        name        varchar(200) NOT NULL,
        parent_id   integer REFERENCES categories(id) ON DELETE RESTRICT,
        path        varchar(1000) NOT NULL UNIQUE,
        external_id varchar(100) UNIQUE,
        position    integer NOT NULL DEFAULT 0,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX categories_parent_id_idx ON categories (parent_id)`);
    await q.query(`
      CREATE TABLE products (
        item_no               varchar(64) PRIMARY KEY,
        ean                   varchar(14),
        title                 varchar(500) NOT NULL,
        description           text,
        manufacturer_id       integer REFERENCES manufacturers(id),
        license_id            integer REFERENCES licenses(id),
        category_id           integer REFERENCES categories(id),
        purchase_price        numeric(12,2),
        rrp                   numeric(12,2),
        release_date          date,
        weight_kg             numeric(10,3),
        image_url             varchar(1000),
        safety_warnings       text,
        discount_percent      numeric(5,2) CHECK (discount_percent >= 0 AND discount_percent <= 100),
        discount_amount       numeric(12,2) CHECK (discount_amount >= 0),
        discount_order_number varchar(100),
        is_deleted            boolean NOT NULL DEFAULT false,
        content_hash          char(32),
        last_import_id        uuid,
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        CHECK (discount_percent IS NULL OR discount_amount IS NULL)
      )`);
    await q.query(`CREATE INDEX products_title_trgm_idx ON products USING gin (title gin_trgm_ops)`);
    // search= matches title and item number by substring (DRF icontains), both trigram-indexed.
    await q.query(`CREATE INDEX products_item_no_trgm_idx ON products USING gin (item_no gin_trgm_ops)`);
    await q.query(`CREATE INDEX products_ean_idx ON products (ean)`);
    await q.query(`CREATE INDEX products_updated_at_idx ON products (updated_at, item_no)`);
    await q.query(`CREATE INDEX products_manufacturer_id_idx ON products (manufacturer_id)`);
    await q.query(`CREATE INDEX products_license_id_idx ON products (license_id)`);
    await q.query(`CREATE INDEX products_category_id_idx ON products (category_id)`);
    await q.query(`CREATE INDEX products_last_import_id_idx ON products (last_import_id)`);
    await q.query(`
      CREATE TABLE product_photos (
        id           bigserial PRIMARY KEY,
        item_no      varchar(64) NOT NULL REFERENCES products(item_no) ON DELETE CASCADE,
        source_url   varchar(1000) NOT NULL,
        sha256       char(64),
        path         varchar(500),
        content_type varchar(100),
        bytes        integer,
        status       varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'stored', 'failed')),
        attempts     integer NOT NULL DEFAULT 0,
        last_error   text,
        fetched_at   timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now(),
        UNIQUE (item_no, source_url)
      )`);
    await q.query(`CREATE INDEX product_photos_status_idx ON product_photos (status) WHERE status <> 'stored'`);
    await q.query(`
      CREATE TABLE product_history (
        id          bigserial PRIMARY KEY,
        item_no     varchar(64) NOT NULL,
        field       varchar(64) NOT NULL,
        old_value   text,
        new_value   text,
        source_type varchar(20) NOT NULL CHECK (source_type IN ('import', 'api', 'email', 'system')),
        source_ref  varchar(200),
        actor       varchar(150),
        changed_at  timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX product_history_item_idx ON product_history (item_no, changed_at, id)`);
    await q.query(`CREATE INDEX product_history_source_idx ON product_history (source_type, source_ref)`);
    // Which (order, item) pairs of POST /api/email-data/ were applied: the same pair twice is a no-op.
    await q.query(`
      CREATE TABLE email_discounts (
        order_number     varchar(100) NOT NULL,
        item_no          varchar(64) NOT NULL,
        discount_percent numeric(5,2),
        discount_amount  numeric(12,2),
        actor            varchar(150),
        applied_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (order_number, item_no)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'email_discounts',
      'product_history',
      'product_photos',
      'products',
      'categories',
      'licenses',
      'manufacturers',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
