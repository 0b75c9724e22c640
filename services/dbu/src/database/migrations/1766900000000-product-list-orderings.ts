import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keyset paging of `GET /api/products/?ordering=title` walks `(title, item_no)` from the cursor's
 * key; item_no has its primary key and updated_at its `(updated_at, item_no)` index already.
 * The indexes cover soft-deleted rows too (`include_deleted=true` pages with the same index); the
 * default list skips the few deleted rows while walking. A partial `WHERE NOT is_deleted` copy of
 * each would double the indexes an import writes, for rows that are rare.
 */
export class ProductListOrderings1766900000000 implements MigrationInterface {
  name = 'ProductListOrderings1766900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX products_title_item_no_idx ON products (title, item_no)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX products_title_item_no_idx`);
  }
}
