import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inventory ledger: supplier orders and their lines, stock items with a cached balance, the
 * details copied from DBU, and the append-only stock movement ledger.
 *
 * Invariants kept by the database itself:
 * - `items.quantity >= 0` (a reduce below zero fails instead of overselling);
 * - `stock_movements` rows are never updated or deleted (trigger);
 * - the sum of an item's movement amounts equals its quantity (every change of `items.quantity`
 *   books exactly one movement in the same transaction; delete/restore book amount 0).
 */
export class InventorySchema1732400000000 implements MigrationInterface {
  name = 'InventorySchema1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE orders (
        id           serial PRIMARY KEY,
        order_number varchar(100) NOT NULL UNIQUE,
        supplier     varchar(200),
        source       varchar(20) NOT NULL DEFAULT 'http' CHECK (source IN ('http', 'amqp', 'cli')),
        actor        varchar(200),
        received_at  timestamptz NOT NULL DEFAULT now(),
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE order_lines (
        id               serial PRIMARY KEY,
        order_id         integer NOT NULL REFERENCES orders(id) ON DELETE RESTRICT,
        line_no          integer NOT NULL,
        item_no          varchar(64) NOT NULL,
        title            varchar(500) NOT NULL DEFAULT '',
        price            numeric(12,2) NOT NULL CHECK (price >= 0),
        discount_percent numeric(5,2) CHECK (discount_percent BETWEEN 0 AND 100),
        discount_amount  numeric(12,2) NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
        quantity         integer NOT NULL CHECK (quantity > 0),
        uom              varchar(20) NOT NULL DEFAULT 'stk',
        total            numeric(12,2) NOT NULL,
        net_amount       numeric(12,2) GENERATED ALWAYS AS (round(price * quantity, 2) - discount_amount) STORED,
        UNIQUE (order_id, line_no)
      )`);
    await q.query(`CREATE INDEX order_lines_item_no_idx ON order_lines (item_no)`);
    await q.query(`
      CREATE TABLE items (
        id         serial PRIMARY KEY,
        item_no    varchar(64) NOT NULL UNIQUE,
        title      varchar(500) NOT NULL DEFAULT '',
        quantity   integer NOT NULL DEFAULT 0 CHECK (quantity >= 0),
        unit_price numeric(12,2) CHECK (unit_price >= 0),
        is_visible boolean NOT NULL DEFAULT true,
        is_deleted boolean NOT NULL DEFAULT false,
        deleted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX items_live_idx ON items (item_no) WHERE is_visible AND NOT is_deleted`);
    await q.query(`
      CREATE TABLE item_details (
        item_no        varchar(64) PRIMARY KEY REFERENCES items(item_no) ON UPDATE CASCADE ON DELETE CASCADE,
        title          varchar(500),
        ean            varchar(20),
        manufacturer   varchar(300),
        license        varchar(200),
        category       varchar(1000),
        release_date   date,
        rrp            numeric(12,2),
        image_url      text,
        gpsr_complete  boolean NOT NULL DEFAULT false,
        dbu_updated_at timestamptz,
        synced_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX item_details_release_date_idx ON item_details (release_date)`);
    await q.query(`CREATE INDEX item_details_license_idx ON item_details (license)`);
    await q.query(`CREATE INDEX item_details_category_idx ON item_details (category)`);
    await q.query(`
      CREATE TABLE stock_movements (
        id              bigserial PRIMARY KEY,
        item_id         integer NOT NULL REFERENCES items(id) ON DELETE RESTRICT,
        type            varchar(10) NOT NULL CHECK (type IN ('receive', 'add', 'reduce', 'delete', 'restore')),
        amount          integer NOT NULL,
        balance_after   integer NOT NULL CHECK (balance_after >= 0),
        order_id        integer REFERENCES orders(id) ON DELETE RESTRICT,
        actor_token_id  integer,
        actor           varchar(200) NOT NULL,
        reason          text,
        idempotency_key varchar(200),
        request_hash    char(64),
        created_at      timestamptz NOT NULL DEFAULT now(),
        CHECK (
          (type IN ('receive', 'add') AND amount > 0) OR
          (type = 'reduce' AND amount < 0) OR
          (type IN ('delete', 'restore') AND amount = 0)
        ),
        CHECK ((idempotency_key IS NULL) = (request_hash IS NULL))
      )`);
    await q.query(`CREATE INDEX stock_movements_item_id_idx ON stock_movements (item_id, id)`);
    await q.query(`CREATE INDEX stock_movements_order_id_idx ON stock_movements (order_id) WHERE order_id IS NOT NULL`);
    // An Idempotency-Key is scoped to the caller and the operation (route).
    await q.query(`
      CREATE UNIQUE INDEX stock_movements_idempotency_key
        ON stock_movements (actor, type, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION stock_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'stock_movements is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER stock_movements_append_only
        BEFORE UPDATE OR DELETE ON stock_movements
        FOR EACH ROW EXECUTE FUNCTION stock_movements_append_only()`);
    await q.query(`
      CREATE TRIGGER stock_movements_no_truncate
        BEFORE TRUNCATE ON stock_movements
        FOR EACH STATEMENT EXECUTE FUNCTION stock_movements_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stock_movements`);
    await q.query(`DROP FUNCTION stock_movements_append_only()`);
    await q.query(`DROP TABLE item_details`);
    await q.query(`DROP TABLE items`);
    await q.query(`DROP TABLE order_lines`);
    await q.query(`DROP TABLE orders`);
  }
}
