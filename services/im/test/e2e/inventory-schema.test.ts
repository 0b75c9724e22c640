import type { DataSource } from '@pjs/database';
import { createMigratedDatabase } from '@pjs/testing';
import { imMigrations } from '../../src/database/migrations';

describe('InventorySchema1732400000000', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ dataSource, close } = await createMigratedDatabase('im_schema', { migrations: imMigrations }));
  });
  afterAll(() => close());

  async function itemWithMovement(itemNo: string): Promise<number> {
    const [item] = await dataSource.query<{ id: number }[]>(
      `INSERT INTO items (item_no, title, quantity) VALUES ($1, 'T', 3) RETURNING id`,
      [itemNo],
    );
    await dataSource.query(
      `INSERT INTO stock_movements (item_id, type, amount, balance_after, actor) VALUES ($1, 'add', 3, 3, 'test')`,
      [item.id],
    );
    return item.id;
  }

  it('refuses to update, delete or truncate stock movements', async () => {
    const itemId = await itemWithMovement('SCHEMA-1');
    await expect(
      dataSource.query(`UPDATE stock_movements SET amount = 5 WHERE item_id = $1`, [itemId]),
    ).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM stock_movements WHERE item_id = $1`, [itemId])).rejects.toThrow(
      /append-only/,
    );
    await expect(dataSource.query(`TRUNCATE stock_movements CASCADE`)).rejects.toThrow(/append-only/);
  });

  it('never lets a quantity go below zero', async () => {
    await itemWithMovement('SCHEMA-2');
    await expect(dataSource.query(`UPDATE items SET quantity = -1 WHERE item_no = 'SCHEMA-2'`)).rejects.toThrow(
      /check constraint/,
    );
  });

  it('computes the net amount of an order line from price, quantity and discount', async () => {
    const [order] = await dataSource.query<{ id: number }[]>(
      `INSERT INTO orders (order_number) VALUES ('S-1') RETURNING id`,
    );
    const [line] = await dataSource.query<{ net_amount: string }[]>(
      `INSERT INTO order_lines (order_id, line_no, item_no, price, quantity, discount_amount, total)
       VALUES ($1, 1, 'X', 12.50, 2, 1.25, 25.00) RETURNING net_amount`,
      [order.id],
    );
    expect(line.net_amount).toBe('23.75');
  });
});
