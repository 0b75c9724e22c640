import { Client } from 'pg';
import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { ledgerOf, line, mailBotPayload, uniqueItemNo } from '../factories/orders.factory';
import { waitFor } from '@pjs/testing';

/**
 * A database connection lost in the middle of a write (a failover, a restart, a replica draining)
 * is passing trouble: the caller gets 503 with Retry-After, nothing is half-written, and the same
 * request with the same Idempotency-Key succeeds once the database is back.
 */
describe('im-web when the database drops a connection mid-request', () => {
  let h: ImWebHarness;
  let holder: Client;

  beforeAll(async () => {
    h = await startImWeb('im_database_unavailable');
    holder = new Client({ connectionString: h.config.DATABASE_URL });
    await holder.connect();
  });

  afterAll(async () => {
    await holder.end();
    await h.close();
  });

  it('answers 503 database_unavailable with Retry-After, then the retry under the same key applies once', async () => {
    const itemNo = uniqueItemNo();
    await h
      .http()
      .post('/api/receive/')
      .set(auth(h.admin))
      .send(mailBotPayload({ items: [line({ item_no: itemNo, quantity: 5 })] }))
      .expect(201);
    const reduce = () =>
      h
        .http()
        .post('/api/reduce-stock/')
        .set(auth(h.admin))
        .set('Idempotency-Key', `reduce-${itemNo}`)
        .send({ item_no: itemNo, amount: 2 });

    // Another transaction holds the item's row, so the reduce waits on its lock; then the server
    // ends the waiting backend, as a PostgreSQL restart or failover would.
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM items WHERE item_no = $1 FOR UPDATE', [itemNo]);
    const pending = reduce().then((res) => res);
    const waiting = await waitFor(async () => {
      const { rows } = await holder.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      return rows[0]?.pid;
    });
    await holder.query('SELECT pg_terminate_backend($1)', [waiting]);
    const refused = await pending;
    await holder.query('ROLLBACK');

    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'database_unavailable' });
    expect(refused.headers['retry-after']).toBe('1');
    expect(await ledgerOf(h.dataSource, itemNo)).toEqual({ quantity: 5, ledgerSum: 5, movements: 1 });

    const retried = await reduce();
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ quantity: 3 });
    expect(await ledgerOf(h.dataSource, itemNo)).toEqual({ quantity: 3, ledgerSum: 3, movements: 2 });
    expect(h.logs.lines().some((l) => l.msg === 'unhandled error')).toBe(false);
  });
});
