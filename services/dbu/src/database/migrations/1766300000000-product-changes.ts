import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The change log behind `GET /api/products/changes/`: one row per product row an INSERT, UPDATE or
 * DELETE touched, written by statement-level triggers in the writing transaction itself (imports,
 * API edits, soft deletes, GPSR links, manual SQL alike). Keyed by the writer's transaction id
 * (`xid8`) and an identity, so the reader can stop below the oldest running transaction and never
 * move a cursor past a change that is yet to commit. `product_changes_horizon` remembers the last
 * key removed by retention: a cursor below it has lost changes and must start over.
 */
export class ProductChanges1766300000000 implements MigrationInterface {
  name = 'ProductChanges1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE product_changes (
        txid       xid8 NOT NULL DEFAULT pg_current_xact_id(),
        id         bigint GENERATED ALWAYS AS IDENTITY,
        item_no    varchar(64) NOT NULL,
        op         char(1) NOT NULL CHECK (op IN ('I', 'U', 'D')),
        changed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (txid, id)
      )`);
    await q.query(`
      CREATE TABLE product_changes_horizon (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        txid      xid8 NOT NULL,
        id        bigint NOT NULL
      )`);
    await q.query(`INSERT INTO product_changes_horizon (txid, id) VALUES ('0', 0)`);

    // Statement-level with transition tables: an import's merge of a million rows logs them in one
    // INSERT … SELECT, not a million function calls. Every updated row is logged without comparing
    // old and new: the writers update only rows that differ (the import's merge and the API compare
    // first), and the rare no-op update costs one redundant entry, not a join per statement.
    await q.query(`
      CREATE FUNCTION product_changes_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO product_changes (item_no, op) SELECT n.item_no, 'I' FROM new_rows n;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION product_changes_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO product_changes (item_no, op) SELECT n.item_no, 'U' FROM new_rows n;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION product_changes_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO product_changes (item_no, op) SELECT o.item_no, 'D' FROM old_rows o;
        RETURN NULL;
      END $$`);
    // A changed item number is the deletion of the old one (the new one is logged as an update).
    await q.query(`
      CREATE FUNCTION product_changes_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO product_changes (item_no, op) VALUES (OLD.item_no, 'D');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER product_changes_inserted AFTER INSERT ON products
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION product_changes_inserted()`);
    await q.query(`
      CREATE TRIGGER product_changes_updated AFTER UPDATE ON products
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION product_changes_updated()`);
    await q.query(`
      CREATE TRIGGER product_changes_deleted AFTER DELETE ON products
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION product_changes_deleted()`);
    await q.query(`
      CREATE TRIGGER product_changes_renamed AFTER UPDATE OF item_no ON products
        FOR EACH ROW WHEN (OLD.item_no IS DISTINCT FROM NEW.item_no) EXECUTE FUNCTION product_changes_renamed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const trigger of [
      'product_changes_renamed',
      'product_changes_inserted',
      'product_changes_updated',
      'product_changes_deleted',
    ]) {
      await q.query(`DROP TRIGGER ${trigger} ON products`);
      await q.query(`DROP FUNCTION ${trigger}()`);
    }
    await q.query(`DROP TABLE product_changes_horizon`);
    await q.query(`DROP TABLE product_changes`);
  }
}
