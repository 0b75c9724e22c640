import { randomUUID } from 'node:crypto';
import type { DataSource } from '@pjs/database';
import { createMigratedDatabase } from '@pjs/testing';
import { dbuMigrations } from '../../src/database/migrations';
import { ProductHistoryRepository } from '../../src/history/product-history.repository';
import { createProduct } from '../factories/catalogue.factory';

/** The history writers the API, e-mail data and the import worker share (real PostgreSQL). */
describe(ProductHistoryRepository.name, () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let history: ProductHistoryRepository;

  beforeAll(async () => {
    ({ dataSource, close } = await createMigratedDatabase('dbu_history_repo', { migrations: dbuMigrations }));
    history = new ProductHistoryRepository(dataSource);
  });

  afterAll(async () => {
    await close();
  });

  const rows = (itemNo: string) =>
    dataSource.query<{ field: string; old_value: string | null; new_value: string | null; source_ref: string }[]>(
      `SELECT field, old_value, new_value, source_ref FROM product_history WHERE item_no = $1 ORDER BY id`,
      [itemNo],
    );

  it('records the changed fields of many products from a before-snapshot, set-wise', async () => {
    const a = await createProduct(dataSource, { title: 'A', rrp: '10.00' });
    const b = await createProduct(dataSource, { title: 'B', rrp: '20.00' });
    const untouched = await createProduct(dataSource, { title: 'C' });
    const importId = randomUUID();
    const written = await dataSource.transaction(async (tx) => {
      await tx.query(
        `CREATE TEMP TABLE import_before ON COMMIT DROP AS SELECT * FROM products WHERE item_no = ANY($1)`,
        [[a, b, untouched]],
      );
      await tx.query(`CREATE TEMP TABLE import_items (item_no text) ON COMMIT DROP`);
      await tx.query(`INSERT INTO import_items VALUES ($1), ($2), ($3), ('NEW-IMPORTED')`, [a, b, untouched]);
      await tx.query(`UPDATE products SET rrp = 12.5, last_import_id = $2 WHERE item_no = $1`, [a, importId]);
      await tx.query(`UPDATE products SET title = 'B2', weight_kg = 0.5 WHERE item_no = $1`, [b]);
      await tx.query(`INSERT INTO products (item_no, title, rrp) VALUES ('NEW-IMPORTED', 'Brand new', 5)`);
      return history.recordSnapshotDiff(
        tx,
        { snapshot: 'import_before', items: 'SELECT item_no FROM import_items' },
        { type: 'import', ref: importId, actor: 'importer' },
      );
    });
    expect(written).toBe(6);
    expect(await rows(a)).toEqual([{ field: 'rrp', old_value: '10.00', new_value: '12.50', source_ref: importId }]);
    expect(await rows(b)).toEqual([
      { field: 'title', old_value: 'B', new_value: 'B2', source_ref: importId },
      { field: 'weight_kg', old_value: null, new_value: '0.500', source_ref: importId },
    ]);
    expect(await rows(untouched)).toEqual([]);
    expect((await rows('NEW-IMPORTED')).map((r) => [r.field, r.old_value, r.new_value])).toEqual([
      ['title', null, 'Brand new'],
      ['rrp', null, '5.00'],
      ['is_deleted', null, 'false'],
    ]);
  });

  it('refuses a snapshot that is not a plain table name', async () => {
    await expect(
      history.recordSnapshotDiff(
        dataSource,
        { snapshot: 'x; DROP TABLE products', items: 'SELECT 1' },
        { type: 'system' },
      ),
    ).rejects.toThrow(/not a table name/);
  });

  it('records before/after row images and nothing for an empty list', async () => {
    const itemNo = await createProduct(dataSource, { title: 'Img', discount_percent: '5.00' });
    expect(await history.recordChanges(dataSource, [], { type: 'system' })).toBe(0);
    const n = await dataSource.transaction(async (tx) => {
      const [before] = await tx.query<{ j: string }[]>(
        `SELECT to_jsonb(p)::text AS j FROM products p WHERE item_no = $1`,
        [itemNo],
      );
      const [after] = await tx.query<{ j: string }[]>(
        `WITH u AS (UPDATE products SET discount_percent = NULL, discount_amount = 1.5 WHERE item_no = $1
                    RETURNING to_jsonb(products.*)::text AS j) SELECT j FROM u`,
        [itemNo],
      );
      return history.recordChanges(tx, [{ item_no: itemNo, before: before.j, after: after.j }], {
        type: 'system',
        ref: 'maintenance',
      });
    });
    expect(n).toBe(2);
    expect(await rows(itemNo)).toEqual([
      { field: 'discount_percent', old_value: '5.00', new_value: null, source_ref: 'maintenance' },
      { field: 'discount_amount', old_value: null, new_value: '1.50', source_ref: 'maintenance' },
    ]);
  });
});
