import { Command } from 'commander';
import { visiblePrefix } from '@pjs/auth';
import { registerAdminCommands } from '../../src/cli/admin.commands';
import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { line, mailBotPayload, uniqueItemNo } from '../factories/orders.factory';

interface LedgerTrace {
  type: string;
  actor: string;
  actor_user_id: number | null;
  token_prefix: string | null;
  request_id: string | null;
}

/**
 * IM's stock ledger is the audit trail of stock changes and orders: each movement names the
 * account, token prefix and request id in its own row, and the audit views read the ledger
 * together with audit_log.
 */
describe('the stock ledger in the audit trail', () => {
  let h: ImWebHarness;
  const itemNo = uniqueItemNo();
  const savedUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    h = await startImWeb('im_audit_ledger');
    process.env.DATABASE_URL = h.config.DATABASE_URL;
  });
  afterAll(async () => {
    if (savedUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedUrl;
    await h.close();
  });

  const traceOf = (item: string): Promise<LedgerTrace[]> =>
    h.dataSource.query(
      `SELECT m.type, m.actor, m.actor_user_id, m.token_prefix, m.request_id
         FROM stock_movements m JOIN items i ON i.id = m.item_id WHERE i.item_no = $1 ORDER BY m.id`,
      [item],
    );

  it('writes the account, token prefix and request id into the movement row itself', async () => {
    await h
      .http()
      .post('/api/receive/')
      .set(auth(h.user))
      .set('X-Request-Id', 'order-intake-1')
      .send(mailBotPayload({ order_number: `AUD-${itemNo}`, items: [line({ item_no: itemNo, quantity: 2 })] }))
      .expect(201);
    await h
      .http()
      .post('/api/add-stock/')
      .set(auth(h.admin))
      .set('X-Request-Id', 'stock-add-1')
      .send({ item_no: itemNo, amount: 3 })
      .expect(200);

    expect(await traceOf(itemNo)).toEqual([
      {
        type: 'receive',
        actor: h.user.username,
        actor_user_id: h.user.id,
        token_prefix: visiblePrefix(h.user.token),
        request_id: 'order-intake-1',
      },
      {
        type: 'add',
        actor: h.admin.username,
        actor_user_id: h.admin.id,
        token_prefix: visiblePrefix(h.admin.token),
        request_id: 'stock-add-1',
      },
    ]);
    // One row per change: nothing was written to audit_log for it.
    const [{ n }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE resource_id = $1`, [
      itemNo,
    ]);
    expect(n).toBe(0);
  });

  it('lists ledger rows and audit rows together in GET /api/admin/audit/, newest first', async () => {
    // An audit_log row after the movements: a token made through the admin API.
    const created = await h
      .http()
      .post('/api/admin/tokens/')
      .set(auth(h.admin))
      .send({ user: h.user.username, name: 'mail parser', scopes: ['orders:write'] });
    expect(created.status).toBe(201);

    const res = await h.http().get('/api/admin/audit/?since=1h&limit=500').set(auth(h.admin)).expect(200);
    const rows = res.body.results as {
      id: string;
      source: string;
      action: string;
      resource_id: string | null;
      at: string;
    }[];
    const mine = rows.filter((r) => r.resource_id === itemNo || r.action === 'token.create');
    expect(mine.map((r) => [r.source, r.action])).toEqual([
      ['audit', 'token.create'],
      ['ledger', 'stock.add'],
      ['ledger', 'stock.receive'],
    ]);
    const times = rows.map((r) => Date.parse(r.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(rows.find((r) => r.action === 'stock.add')).toMatchObject({
      actor: h.admin.username,
      token_prefix: visiblePrefix(h.admin.token),
      request_id: 'stock-add-1',
      resource: 'item',
      outcome: 'ok',
      details: { amount: 3, balance_after: 5 },
    });

    const byUser = await h
      .http()
      .get(`/api/admin/audit/?since=1h&actor=${h.user.username}`)
      .set(auth(h.admin))
      .expect(200);
    expect(byUser.body.results.map((r: { action: string }) => r.action)).toEqual(['stock.receive']);

    // Page by page through the next links: the cursors of ledger and audit rows both read back.
    const walked: string[] = [];
    let next: string | null = '/api/admin/audit/?since=1h&limit=1';
    while (next) {
      const url = new URL(next, 'http://x');
      const page = await h.http().get(`${url.pathname}${url.search}`).set(auth(h.admin)).expect(200);
      walked.push(...page.body.results.map((r: { id: string }) => r.id));
      next = page.body.next as string | null;
    }
    expect(walked).toEqual(rows.map((r) => r.id));
  });

  it('shows the ledger in `pnpm im audit`', async () => {
    const program = new Command('im').exitOverride();
    registerAdminCommands(program);
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await program.parseAsync(['node', 'im', 'audit', '--since', '1d', '--actor', h.admin.username]);
    } finally {
      spy.mockRestore();
    }
    const lines = out.join('').trim().split('\n');
    expect(lines.some((l) => l.includes('stock.add') && l.includes(itemNo) && l.includes('stock-add-1'))).toBe(true);
    expect(lines.some((l) => l.includes('token.create'))).toBe(true);
  });
});
