import { createTestUser, createTestVhost, waitFor, type TestUser, type TestVhost } from '@pjs/testing';
import request from 'supertest';
import { ImQueues } from '../../src/core/im-queues';
import { startRealDbu, type DbuSeedProduct, type RealDbu } from '../integration/support/real-dbu';
import {
  countDetails,
  detailsOf,
  metric,
  seedImItems,
  startIm,
  type ImStack,
} from '../integration/support/sync-harness';

jest.setTimeout(90_000);

const pad = (i: number) => String(i).padStart(3, '0');
const catalogue: DbuSeedProduct[] = Array.from({ length: 120 }, (_, i) => ({
  item_no: `P-${pad(i)}`,
  title: `Product ${pad(i)}`,
  license: i % 2 === 0 ? 'Star Wars' : 'Marvel',
  category: i % 3 === 0 ? 'Vehicles' : 'Figures',
  rrp: `${10 + i}.99`,
  release_date: `2026-0${(i % 9) + 1}-15`,
  image_url: `http://img.example/${i}.jpg`,
  gpsr_complete: i !== 5,
}));

describe('POST /api/signal/ → im-worker → details from the real DBU', () => {
  let vhost: TestVhost;
  let dbu: RealDbu;
  let im: ImStack;
  let user: TestUser;

  beforeAll(async () => {
    vhost = await createTestVhost('im_signal');
    dbu = await startRealDbu('signal', vhost.url);
    await dbu.seed(catalogue);
    im = await startIm('signal', {
      rabbitUrl: vhost.url,
      dbuUrl: dbu.url,
      dbuUser: dbu.user,
      SYNC_BATCH_SIZE: '50',
      BODY_LIMIT: '16kb',
    });
    await seedImItems(im.dataSource, [...catalogue.map((p) => p.item_no), 'NOT-IN-DBU-1', 'NOT-IN-DBU-2']);
    await im.startWorker();
    user = await createTestUser(im.dataSource);
  });

  afterAll(async () => {
    await im?.close();
    await dbu?.close();
    await vhost?.drop();
  });

  const signal = (body?: object, token: string | null = user.token) => {
    const req = request(im.http).post('/api/signal/');
    if (token) void req.set('Authorization', `Token ${token}`);
    return body === undefined ? req : req.send(body);
  };

  const processed = async (eventId: string) =>
    (
      await im.dataSource.query(`SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2`, [
        ImQueues.syncRequests.queue,
        eventId,
      ])
    ).length === 1;

  it('rejects an anonymous signal with 401', async () => {
    const res = await signal({}, null);
    expect(res.status).toBe(401);
  });

  it('rejects an unknown scope with 400 naming the field', async () => {
    const res = await signal({ scope: 'everything' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors[0].field).toBe('scope');
  });

  it('rejects item_nos that is not a list of item numbers with 400 naming the field', async () => {
    const res = await signal({ item_nos: 'P-001' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('item_nos');
  });

  it('answers 413 to an oversized body', async () => {
    const res = await signal({ item_nos: Array.from({ length: 2000 }, (_, i) => `ITEM-${i}-${'x'.repeat(20)}`) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
  });

  it('queues the sync (202) and im-worker fills every missing detail from DBU in batches', async () => {
    const batchesBefore = await metric('im_sync_batch_size');
    const lookupsBefore = await metric('im_dbu_request_duration_seconds', { operation: 'lookup' });

    const res = await signal();
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'queued', event_id: expect.any(String), scope: 'missing' });

    await waitFor(async () => (await countDetails(im.dataSource)) === 120, 30_000);
    await waitFor(() => processed(res.body.event_id), 10_000);

    expect(await detailsOf(im.dataSource, 'P-006')).toMatchObject({
      title: 'Product 006',
      license: 'Star Wars',
      category: 'Vehicles',
      manufacturer: 'Hasbro',
      release_date: '2026-07-15',
      rrp: '16.99',
      image_url: 'http://img.example/6.jpg',
      gpsr_complete: true,
    });
    expect(await detailsOf(im.dataSource, 'P-005')).toMatchObject({ license: 'Marvel', gpsr_complete: false });
    expect(await detailsOf(im.dataSource, 'NOT-IN-DBU-1')).toBeUndefined();

    // 122 items without details, SYNC_BATCH_SIZE 50: three lookups (50 + 50 + 22), not 122.
    expect((await metric('im_sync_batch_size')) - batchesBefore).toBe(3);
    expect((await metric('im_dbu_request_duration_seconds', { operation: 'lookup' })) - lookupsBefore).toBe(3);
    expect(await metric('im_sync_missing_items')).toBe(2);

    const [event] = await im.dataSource.query(`SELECT envelope FROM outbox_messages WHERE id = $1`, [
      res.body.event_id,
    ]);
    expect(event.envelope).toMatchObject({
      type: 'im.sync.requested',
      data: { scope: 'missing', requested_by: user.username },
    });
  });

  it('refreshes only the item numbers a signal names', async () => {
    await dbu.seed([
      { ...catalogue[1], title: 'Renamed 001', rrp: '99.00' },
      { ...catalogue[2], title: 'Renamed 002' },
    ]);
    const res = await request(im.http)
      .post('/api/signal')
      .set('Authorization', `Bearer ${user.token}`)
      .send({ item_nos: ['P-001', 'UNKNOWN-ITEM'] });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'queued', item_count: 2 });

    await waitFor(() => processed(res.body.event_id), 20_000);
    expect(await detailsOf(im.dataSource, 'P-001')).toMatchObject({ title: 'Renamed 001', rrp: '99.00' });
    expect(await detailsOf(im.dataSource, 'P-002')).toMatchObject({ title: 'Product 002' });
  });

  it('refreshes every item with scope "all"', async () => {
    const res = await signal({ scope: 'all' });
    expect(res.status).toBe(202);
    await waitFor(() => processed(res.body.event_id), 20_000);
    expect(await detailsOf(im.dataSource, 'P-002')).toMatchObject({ title: 'Renamed 002' });
  });
});
