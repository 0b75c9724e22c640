import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalogue: products keyed by the wholesaler's item number, their manufacturers (with GPSR
 * data), licenses, the category tree, photos and a field-level change history.
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
        ean                   char(13),
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
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['product_history', 'product_photos', 'products', 'categories', 'licenses', 'manufacturers']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
