import { randomBytes } from 'node:crypto';
import type { DataSource } from '@pjs/database';

export interface LineInput {
  item_no: string;
  title?: string;
  price?: string | number;
  discount?: string | number | null;
  quantity?: string | number;
  uom?: string;
  total?: string | number;
}

export const uniqueItemNo = (prefix = 'ITEM'): string => `${prefix}-${randomBytes(4).toString('hex').toUpperCase()}`;
export const uniqueOrderNumber = (): string => `ORD-${randomBytes(5).toString('hex')}`;

/** The MailBot payload of contracts.md, with a fresh order number and item number by default. */
export function mailBotPayload(overrides: { order_number?: string; items?: LineInput[] } = {}): {
  order_number: string;
  items: LineInput[];
} {
  return {
    order_number: overrides.order_number ?? uniqueOrderNumber(),
    items: overrides.items ?? [
      {
        item_no: uniqueItemNo('ABC'),
        title: 'Widget',
        price: '12.50',
        discount: '5%',
        quantity: '2',
        uom: 'stk',
        total: '25.00',
      },
    ],
  };
}

export function line(overrides: Partial<LineInput> = {}): LineInput {
  return { item_no: uniqueItemNo(), title: 'Thing', price: '10.00', quantity: 1, uom: 'stk', ...overrides };
}

/** What im-worker's sync writes: DBU details of an item (release date drives the analysis). */
export async function upsertItemDetails(
  dataSource: DataSource,
  itemNo: string,
  details: { release_date?: string | null; title?: string; license?: string; category?: string; rrp?: string } = {},
): Promise<void> {
  await dataSource.query(
    `INSERT INTO item_details (item_no, title, license, category, release_date, rrp, gpsr_complete)
     VALUES ($1, $2, $3, $4, $5, $6, true)
     ON CONFLICT (item_no) DO UPDATE
       SET title = EXCLUDED.title, license = EXCLUDED.license, category = EXCLUDED.category,
           release_date = EXCLUDED.release_date, rrp = EXCLUDED.rrp, synced_at = now()`,
    [
      itemNo,
      details.title ?? `DBU ${itemNo}`,
      details.license ?? null,
      details.category ?? null,
      details.release_date ?? null,
      details.rrp ?? null,
    ],
  );
}

/** Σ movement amounts and the cached quantity of an item. */
export async function ledgerOf(
  dataSource: DataSource,
  itemNo: string,
): Promise<{ quantity: number; ledgerSum: number; movements: number }> {
  const [row] = await dataSource.query<{ quantity: number; ledger_sum: string; movements: string }[]>(
    `SELECT i.quantity, coalesce(sum(m.amount), 0)::text AS ledger_sum, count(m.id)::text AS movements
       FROM items i LEFT JOIN stock_movements m ON m.item_id = i.id
      WHERE i.item_no = $1 GROUP BY i.id`,
    [itemNo],
  );
  if (!row) throw new Error(`no item ${itemNo}`);
  return { quantity: row.quantity, ledgerSum: Number(row.ledger_sum), movements: Number(row.movements) };
}
