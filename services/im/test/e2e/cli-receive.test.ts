import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import type { DataSource } from '@pjs/database';
import { createMigratedDatabase } from '@pjs/testing';
import { registerAdminCommands } from '../../src/cli/admin.commands';
import { imMigrations } from '../../src/database/migrations';
import { ledgerOf, mailBotPayload } from '../factories/orders.factory';

describe('pnpm im receive <file>', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let dir: string;
  const savedUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    const created = await createMigratedDatabase('im_cli_receive', { migrations: imMigrations });
    ({ dataSource, close } = created);
    process.env.DATABASE_URL = created.db.url;
    dir = mkdtempSync(join(tmpdir(), 'im-cli-'));
  });
  afterAll(async () => {
    if (savedUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedUrl;
    rmSync(dir, { recursive: true, force: true });
    await close();
  });

  async function run(...args: string[]): Promise<string> {
    const program = new Command('im').exitOverride();
    registerAdminCommands(program);
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await program.parseAsync(['node', 'im', ...args]);
    } finally {
      spy.mockRestore();
    }
    return out.join('');
  }

  it('receives an order from a file once, with the same rules as the API', async () => {
    const payload = mailBotPayload();
    const file = join(dir, 'order.json');
    writeFileSync(file, JSON.stringify(payload));
    expect(await run('receive', file)).toBe(`order ${payload.order_number} received: 1 line(s)\n`);
    expect(await run('receive', file)).toBe(`order ${payload.order_number} already exists; nothing changed\n`);
    expect(await ledgerOf(dataSource, payload.items[0].item_no)).toEqual({ quantity: 2, ledgerSum: 2, movements: 1 });
    const [order] = await dataSource.query(`SELECT source FROM orders WHERE order_number = $1`, [payload.order_number]);
    expect(order.source).toBe('cli');
  });

  it('names the bad field of an invalid order and changes nothing', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ order_number: 'CLI-BAD', items: [{ item_no: 'X', price: '1', quantity: 'x' }] }),
    );
    await expect(run('receive', file)).rejects.toThrow('invalid order: items.0.quantity: must be a whole number');
    expect(await dataSource.query(`SELECT 1 FROM orders WHERE order_number = 'CLI-BAD'`)).toHaveLength(0);
  });
});
