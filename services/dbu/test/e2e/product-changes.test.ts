import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Client } from 'pg';
import { createLogger } from '@pjs/logger';
import { waitFor, writeCatalogue } from '@pjs/testing';
import { createImportServices, loadDbuConfig, type ImportServices } from '../../src';
import { ProductChangeService } from '../../src/changes/product-change.service';
import { createProduct } from '../factories/catalogue.factory';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

interface Change {
  item_no: string;
  deleted: boolean;
  product: { item_no: string; title: string; is_deleted: boolean } | null;
}

interface ChangesPage {
  results: Change[];
  next: string;
  has_more: boolean;
  head: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GET /api/products/changes (dbu-web)', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let auth: { Authorization: string };

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_product_changes');
    web = await ctx.start();
    auth = tokenHeader(ctx.user.token);
  });

  afterAll(async () => {
    await ctx.close();
  });

  const page = async (after?: string, limit = 500): Promise<ChangesPage> => {
    const query: Record<string, string | number> = { limit };
    if (after !== undefined) query.after = after;
    const res = await web.http().get('/api/products/changes/').query(query).set(auth);
    if (res.status !== 200) throw new Error(`changes answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as ChangesPage;
  };

  /** Pages from `after` until the feed has nothing more right now. */
  const drain = async (after: string | undefined, limit = 500): Promise<{ changes: Change[]; next: string }> => {
    const changes: Change[] = [];
    let cursor = after;
    for (;;) {
      const answer = await page(cursor, limit);
      changes.push(...answer.results);
      cursor = answer.next;
      if (!answer.has_more) return { changes, next: cursor };
    }
  };

  /** Pages from `after` until `enough` holds (other sessions' open transactions may hold the feed back a while). */
  const readUntil = async (after: string, enough: (changes: Change[]) => boolean) =>
    (await waitFor(async () => {
      const read = await drain(after);
      return enough(read.changes) ? read : undefined;
    }, 120_000))!;

  /** The cursor at the end of what is readable now (nothing before it is left unread by later pages). */
  const headNow = async (): Promise<string> => (await page(undefined, 1)).head;

  it('refuses anonymous callers and cursors it did not hand out', async () => {
    expect((await web.http().get('/api/products/changes/')).status).toBe(401);
    const bad = await web.http().get('/api/products/changes/?after=bm90LWEtY3Vyc29y').set(auth);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'after' }] });
    expect((await web.http().get('/api/products/changes/?limit=0').set(auth)).status).toBe(400);
  });

  it('lists inserts, updates, soft and hard deletes with the product as it is now', async () => {
    const start = await headNow();
    await createProduct(ctx.dataSource, { item_no: 'CH-1', title: 'First' });
    await createProduct(ctx.dataSource, { item_no: 'CH-2', title: 'Second' });
    await ctx.dataSource.query(`UPDATE products SET title = 'First, renamed' WHERE item_no = 'CH-1'`);
    const soft = await web.http().delete('/api/products/CH-2/').set(tokenHeader(ctx.admin.token));
    expect(soft.status).toBe(204);
    await createProduct(ctx.dataSource, { item_no: 'CH-3', title: 'Gone' });
    await ctx.dataSource.query(`DELETE FROM products WHERE item_no = 'CH-3'`);

    const { changes } = await readUntil(start, (read) => read.length >= 6);
    expect(changes.map((c) => [c.item_no, c.deleted])).toEqual([
      ['CH-1', false],
      ['CH-2', true],
      ['CH-1', false],
      ['CH-2', true],
      ['CH-3', true],
      ['CH-3', true],
    ]);
    expect(changes[0].product).toMatchObject({ item_no: 'CH-1', title: 'First, renamed', is_deleted: false });
    expect(changes[1].product).toMatchObject({ item_no: 'CH-2', is_deleted: true });
    expect(changes[4].product).toBeNull();
  });

  it('never moves a cursor past a transaction that commits later', async () => {
    const start = await headNow();
    const older = new Client({ connectionString: ctx.databaseUrl });
    const newer = new Client({ connectionString: ctx.databaseUrl });
    await older.connect();
    await newer.connect();
    try {
      await older.query('BEGIN');
      await older.query(`INSERT INTO products (item_no, title) VALUES ('OLD-1', 'Older transaction')`);
      await newer.query('BEGIN');
      await newer.query(`INSERT INTO products (item_no, title) VALUES ('NEW-1', 'Newer transaction')`);
      await newer.query('COMMIT');

      // NEW-1 is committed, but OLD-1's transaction (lower id) is still open: the feed stops before both.
      const meanwhile = await drain(start);
      expect(meanwhile.changes.map((c) => c.item_no)).not.toContain('NEW-1');

      await older.query('COMMIT');
      const after = await readUntil(meanwhile.next, (read) => read.some((c) => c.item_no === 'NEW-1'));
      expect(after.changes.map((c) => c.item_no)).toEqual(['OLD-1', 'NEW-1']);
    } finally {
      await older.end();
      await newer.end();
    }
  });

  it('reads every change exactly once while imports and writers commit in overlapping transactions', async () => {
    const start = await headNow();
    const dir = await mkdtemp(join(tmpdir(), 'dbu-changes-'));
    const logger = createLogger({ service: 'dbu-test', process: 'worker', level: 'error', stream: new PassThrough() });
    const config = await loadDbuConfig(ctx.env({ MEDIA_DIR: dir, LOG_LEVEL: 'error' }));
    const services: ImportServices = await createImportServices(config, ctx.dataSource, logger);
    const committed = new Set<string>();
    const rolledBack = new Set<string>();
    /** The newest change's transaction, once every writer is done. */
    let lastTxid: string | undefined;

    const importCatalogue = async (seed: number, rows: number) => {
      const path = join(dir, `catalogue-${seed}.csv`);
      await writeCatalogue(path, rows, { seed });
      const file = await services.media.saveLocalFile(path);
      const submission = await services.requests.submit({
        kind: 'catalogue',
        file,
        errorPolicy: 'apply-valid',
        dryRun: false,
        force: true,
        source: 'cli',
        requestedBy: 'tester',
        enqueue: false,
      });
      if (submission.duplicate) throw new Error('unexpected duplicate import');
      await services.runner.execute(submission.run.id, { finalAttempt: true });
    };

    // Each writer holds its transaction open across sleeps, so transactions overlap and commit out of id order.
    const writer = async (w: number) => {
      const client = new Client({ connectionString: ctx.databaseUrl });
      await client.connect();
      try {
        for (let t = 0; t < 12; t++) {
          const items = [0, 1, 2].map((k) => `W${w}-T${t}-${k}`);
          await client.query('BEGIN');
          await client.query(`INSERT INTO products (item_no, title) SELECT unnest($1::text[]), 'Writer product'`, [
            items,
          ]);
          await sleep(Math.random() * 40);
          await client.query(`UPDATE products SET title = 'Writer product, changed' WHERE item_no = $1`, [items[0]]);
          await sleep(Math.random() * 40);
          const rollback = (w + t) % 5 === 0;
          await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
          for (const item of items) (rollback ? rolledBack : committed).add(item);
        }
      } finally {
        await client.end();
      }
    };

    // The feed shows a commit only once every older transaction of the whole PostgreSQL cluster has
    // ended (other test files' included): after the writers, all is readable once xmin passes the last.
    const allReadable = async () =>
      lastTxid !== undefined &&
      (
        await ctx.dataSource.query<{ ok: boolean }[]>(
          `SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 AS ok`,
          [lastTxid],
        )
      )[0].ok;

    const read = new Map<string, number>();
    const reader = async () => {
      let cursor = start;
      // Small pages, so the reader keeps crossing the writers' commits; then to the end of the log.
      for (;;) {
        const readable = await allReadable();
        const answer = await page(cursor, 7);
        for (const change of answer.results) read.set(change.item_no, (read.get(change.item_no) ?? 0) + 1);
        cursor = answer.next;
        if (answer.has_more) continue;
        if (readable) return;
        await sleep(50);
      }
    };

    try {
      const reading = reader();
      await Promise.all([importCatalogue(11, 300), importCatalogue(12, 300), ...[1, 2, 3, 4, 5].map(writer)]);
      await importCatalogue(13, 300);
      const [{ txid }] = await ctx.dataSource.query<{ txid: string }[]>(
        `SELECT max(txid)::text AS txid FROM product_changes`,
      );
      lastTxid = txid;
      await reading;

      const logged = new Map<string, number>(
        (
          await ctx.dataSource.query<{ item_no: string; n: number }[]>(
            `SELECT item_no, count(*)::int AS n FROM product_changes
              WHERE item_no LIKE 'W%' OR item_no LIKE 'PJS-%' GROUP BY item_no`,
          )
        ).map((r) => [r.item_no, r.n]),
      );
      const readOfRun = new Map([...read].filter(([item]) => /^(W|PJS-)/.test(item)));
      expect(readOfRun).toEqual(logged);
      // Writer transactions: two changes for the updated item, one for the others; none for rollbacks.
      for (const item of committed) expect([item, read.get(item)]).toEqual([item, item.endsWith('-0') ? 2 : 1]);
      for (const item of rolledBack) expect(read.has(item)).toBe(false);
      expect(read.get('PJS-0000000')).toBeGreaterThanOrEqual(1);
    } finally {
      lastTxid ??= '0';
      await services.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('hands out a head no older than the horizon while an older transaction is still open', async () => {
    const older = new Client({ connectionString: ctx.databaseUrl });
    await older.connect();
    try {
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()');
      await createProduct(ctx.dataSource, { item_no: 'HZ-1', title: 'After the open transaction' });
      // The log cut by hand past the open transaction, as an operator or a test might.
      await ctx.dataSource.query(`
        WITH cut AS (SELECT txid, id FROM product_changes ORDER BY txid DESC, id DESC LIMIT 1),
             gone AS (DELETE FROM product_changes ch USING cut WHERE (ch.txid, ch.id) <= (cut.txid, cut.id))
        UPDATE product_changes_horizon h SET txid = cut.txid, id = cut.id FROM cut`);
      const head = await headNow();
      const fromHead = await web.http().get('/api/products/changes/').query({ after: head }).set(auth);
      expect(fromHead.status).toBe(200);
      await createProduct(ctx.dataSource, { item_no: 'HZ-2', title: 'After the cut' });
      await older.query('COMMIT');
      const later = await readUntil(head, (read) => read.some((c) => c.item_no === 'HZ-2'));
      expect(later.changes.map((c) => c.item_no)).toEqual(['HZ-2']);
    } finally {
      await older.end();
    }
  });

  it('compacts superseded changes and answers 410 to a cursor behind the retention', async () => {
    const start = await headNow();
    await createProduct(ctx.dataSource, { item_no: 'RET-1', title: 'Kept' });
    await ctx.dataSource.query(`UPDATE products SET title = 'Kept, twice' WHERE item_no = 'RET-1'`);
    const before = await readUntil(start, (read) => read.filter((c) => c.item_no === 'RET-1').length === 2);
    expect(before.changes.filter((c) => c.item_no === 'RET-1')).toHaveLength(2);

    const changes = web.app.get(ProductChangeService);
    const compacted = await changes.compact(24 * 3600_000);
    expect(compacted.superseded).toBeGreaterThan(0);
    expect((await drain(start)).changes.filter((c) => c.item_no === 'RET-1')).toHaveLength(1);

    await changes.compact(0);
    const expired = await web.http().get('/api/products/changes/').query({ after: start }).set(auth);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ code: 'cursor_expired' });
    // Starting without a cursor begins at the horizon again.
    expect((await page()).results).toEqual([]);
  });
});
