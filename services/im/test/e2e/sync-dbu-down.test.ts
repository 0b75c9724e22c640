import { connectBroker, deadLetterQueueName, type AmqpConnection } from '@pjs/messaging';
import { createTestUser, createTestVhost, waitFor, type TestUser, type TestVhost } from '@pjs/testing';
import request from 'supertest';
import { ImQueues } from '../../src/core/im-queues';
import { startRealDbu, type RealDbu } from '../integration/support/real-dbu';
import { countDetails, metric, seedImItems, startIm, type ImStack } from '../integration/support/sync-harness';

jest.setTimeout(90_000);

const QUEUE = ImQueues.syncRequests.queue;
const itemNos = Array.from({ length: 40 }, (_, i) => `D-${String(i).padStart(2, '0')}`);

describe('DBU down: clear 502 for callers, and the sync is retried later without losing the request', () => {
  let vhost: TestVhost;
  let dbu: RealDbu;
  let im: ImStack;
  let admin: TestUser;
  let broker: AmqpConnection;

  beforeAll(async () => {
    vhost = await createTestVhost('im_dbu_down');
    dbu = await startRealDbu('dbu_down', vhost.url);
    await dbu.seed(itemNos.map((item_no) => ({ item_no, title: `Down ${item_no}`, rrp: '3.30' })));
    im = await startIm('dbu_down', {
      rabbitUrl: vhost.url,
      dbuUrl: dbu.url,
      dbuUser: dbu.user,
      DBU_RETRIES: '0',
      DBU_BREAKER_THRESHOLD: '2',
      DBU_BREAKER_COOLDOWN: '500ms',
      SYNC_RETRY_DELAY: '300ms',
      SYNC_RETRY_MAX_DELAY: '600ms',
      SYNC_BATCH_SIZE: '15',
    });
    await seedImItems(im.dataSource, itemNos);
    await im.startWorker();
    admin = await createTestUser(im.dataSource, { admin: true });
    broker = await connectBroker({ url: vhost.url });
  });

  afterAll(async () => {
    await broker?.close();
    await im?.close();
    await dbu?.close();
    await vhost?.drop();
  });

  it('keeps retrying the signalled sync while DBU is down and fills the details once it is back', async () => {
    await dbu.proxy.cut();

    const confirm = await request(im.http)
      .post('/api/confirm-item/')
      .set('Authorization', `Token ${admin.token}`)
      .send({ product_no: 'D-01' });
    expect(confirm.status).toBe(502);
    expect(confirm.body.code).toBe('dbu_unavailable');

    const retriesBefore = await metric('messages_consumed_total', { queue: QUEUE, outcome: 'retry' });
    const signal = await request(im.http).post('/api/signal/').set('Authorization', `Token ${admin.token}`);
    expect(signal.status).toBe(202);

    // The worker fails (DBU unreachable, then the circuit is open) and parks the message in the
    // retry queue, again and again, without dead-lettering it.
    await waitFor(
      async () => (await metric('messages_consumed_total', { queue: QUEUE, outcome: 'retry' })) >= retriesBefore + 3,
      30_000,
    );
    expect(await countDetails(im.dataSource)).toBe(0);
    expect(await broker.channel.get(deadLetterQueueName(QUEUE), { noAck: true })).toBe(false);
    expect(await metric('im_dbu_client_errors_total', { kind: 'network' })).toBeGreaterThan(0);

    await dbu.proxy.restore();
    await waitFor(async () => (await countDetails(im.dataSource)) === 40, 30_000);
    await waitFor(
      async () =>
        (
          await im.dataSource.query(`SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2`, [
            QUEUE,
            signal.body.event_id,
          ])
        ).length === 1,
      10_000,
    );
    expect(await broker.channel.get(deadLetterQueueName(QUEUE), { noAck: true })).toBe(false);
    expect(await metric('im_dbu_breaker_state')).toBe(0);
    const [{ title }] = await im.dataSource.query(`SELECT title FROM item_details WHERE item_no = 'D-39'`);
    expect(title).toBe('Down D-39');
  });
});
