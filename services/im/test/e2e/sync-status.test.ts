import { randomUUID } from 'node:crypto';
import { ImQueues } from '../../src/core/im-queues';
import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { line, mailBotPayload, upsertItemDetails } from '../factories/orders.factory';

describe('GET /api/sync/status/', () => {
  let h: ImWebHarness;
  const prefix = `SYN${Date.now().toString(36).toUpperCase()}`;
  const itemNo = (n: number) => `${prefix}-${n}`;

  beforeAll(async () => {
    h = await startImWeb('im_sync_status');
    await h
      .http()
      .post('/api/receive/')
      .set(auth(h.user))
      .send(mailBotPayload({ items: [1, 2, 3, 4].map((n) => line({ item_no: itemNo(n), title: `Thing ${n}` })) }))
      .expect(201);
    await upsertItemDetails(h.dataSource, itemNo(2));
  });

  afterAll(() => h.close());

  const status = (query: Record<string, string | number> = {}) =>
    h.http().get('/api/sync/status/').query(query).set(auth(h.admin));

  it('counts the items missing DBU details and lists them', async () => {
    const res = await status().expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.items).toEqual({ total: 4, missing_details: 3 });
    expect(res.body.missing).toEqual(
      [1, 3, 4].map((n) => expect.objectContaining({ item_no: itemNo(n), quantity: 1 })),
    );
    expect(res.body.missing[0]).toEqual({
      item_no: itemNo(1),
      title: 'Thing 1',
      quantity: 1,
      created_at: expect.stringMatching(/^\d{4}-/),
    });
    expect(Date.parse(res.body.last_details_synced_at)).not.toBeNaN();
    // No reconciler run yet on this database.
    expect(res.body.reconciler).toMatchObject({ following_feed: false, caught_up_at: null });
    expect(res.body.last_signal).toBeNull();

    const limited = await status({ limit: 1 }).expect(200);
    expect(limited.body.missing.map((m: { item_no: string }) => m.item_no)).toEqual([itemNo(1)]);
    expect(limited.body.items.missing_details).toBe(3);
  });

  it('shows the reconciler position once it has read the feed', async () => {
    await h.dataSource.query(`UPDATE dbu_feed_cursor SET cursor = 'c-1', caught_up_at = now(), updated_at = now()`);
    const res = await status().expect(200);
    expect(res.body.reconciler).toEqual({
      following_feed: true,
      caught_up_at: expect.stringMatching(/^\d{4}-/),
      lag_seconds: expect.any(Number),
    });
  });

  it('shows the last POST /api/signal/ (the admin\'s "Sync now") and whether im-worker has done it', async () => {
    const key = randomUUID();
    const send = () =>
      h.http().post('/api/signal/').set(auth(h.admin)).set('Idempotency-Key', key).send({ scope: 'missing' });
    const first = await send().expect(202);
    expect(first.body).toEqual({ status: 'queued', event_id: expect.any(String), scope: 'missing' });
    const again = await send().expect(202);
    expect(again.body.event_id).toBe(first.body.event_id);
    const rows = await h.dataSource.query<{ routing_key: string; data: { scope: string; requested_by: string } }[]>(
      `SELECT routing_key, envelope->'data' AS data FROM outbox_messages WHERE id = $1`,
      [first.body.event_id],
    );
    expect(rows).toEqual([
      { routing_key: 'im.sync.requested', data: { scope: 'missing', requested_by: h.admin.username } },
    ]);

    const queued = await status().expect(200);
    const { published_at: publishedAt, ...signal } = queued.body.last_signal as { published_at: string | null };
    expect(signal).toEqual({
      event_id: first.body.event_id,
      scope: 'missing',
      requested_by: h.admin.username,
      requested_at: expect.stringMatching(/^\d{4}-/),
      handled_at: null,
    });
    // The outbox relay hands it to RabbitMQ in the background: either not yet, or with the time.
    expect(publishedAt === null || !Number.isNaN(Date.parse(publishedAt))).toBe(true);

    // What im-worker records when it has done the work.
    await h.dataSource.query(`INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2)`, [
      ImQueues.syncRequests.queue,
      first.body.event_id,
    ]);
    const handled = await status().expect(200);
    expect(Date.parse(handled.body.last_signal.handled_at)).not.toBeNaN();
  });

  it('refuses a bad limit with 400 naming the field', async () => {
    expect(JSON.stringify((await status({ limit: 0 }).expect(400)).body)).toContain('limit');
    expect(JSON.stringify((await status({ limit: 'x' }).expect(400)).body)).toContain('limit');
    expect(JSON.stringify((await status({ limit: 501 }).expect(400)).body)).toContain('limit');
  });

  it('needs inventory:read', async () => {
    await h.http().get('/api/sync/status/').expect(401);
    expect((await h.http().get('/api/sync/status/').set(auth(h.user)).expect(403)).body.code).toBe(
      'insufficient_scope',
    );
  });
});
