import { randomUUID } from 'node:crypto';
import { EventTypes, type CatalogueImported } from '@pjs/contracts';
import {
  ERROR_HEADER,
  EnvelopePublisher,
  connectBroker,
  createEnvelope,
  deadLetterQueueName,
  type AmqpConnection,
} from '@pjs/messaging';
import { createTestVhost, waitFor, type TestVhost } from '@pjs/testing';
import { ImQueues } from '../../src/core/im-queues';
import { startRealDbu, type DbuSeedProduct, type RealDbu } from '../integration/support/real-dbu';
import {
  countDetails,
  detailsOf,
  holdReconcilerLock,
  metric,
  seedImItems,
  startIm,
  type ImStack,
} from '../integration/support/sync-harness';

jest.setTimeout(90_000);

const pad = (i: number) => String(i).padStart(2, '0');
const catalogue: DbuSeedProduct[] = Array.from({ length: 30 }, (_, i) => ({
  item_no: `C-${pad(i)}`,
  title: `Catalogue ${pad(i)}`,
  license: 'Star Wars',
  category: 'Figures',
  rrp: '20.00',
  release_date: '2026-03-01',
}));
/** IM holds C-00..C-19; C-20..C-29 exist only in DBU. */
const ours = catalogue.slice(0, 20).map((p) => p.item_no);

describe('dbu.catalogue.imported → im-worker refreshes exactly the changed items we hold', () => {
  let vhost: TestVhost;
  let dbu: RealDbu;
  let im: ImStack;
  let broker: AmqpConnection;
  let publisher: EnvelopePublisher;
  let releaseReconciler: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    vhost = await createTestVhost('im_catalogue');
    dbu = await startRealDbu('catalogue', vhost.url);
    await dbu.seed(catalogue);
    im = await startIm('catalogue', { rabbitUrl: vhost.url, dbuUrl: dbu.url, dbuUser: dbu.user, SYNC_BATCH_SIZE: '8' });
    await seedImItems(im.dataSource, ours);
    // Only the events may move synced_at here (the reconciler's upserts would move it too).
    releaseReconciler = await holdReconcilerLock(im.config);
    await im.startWorker();
    broker = await connectBroker({ url: vhost.url });
    publisher = new EnvelopePublisher(broker);
    // Start from every item having details.
    await publisher.publish(createEnvelope(EventTypes.syncRequested, { scope: 'missing' }), EventTypes.syncRequested);
    await waitFor(async () => (await countDetails(im.dataSource)) === 20, 30_000);
  });

  afterAll(async () => {
    await releaseReconciler?.();
    await broker?.close();
    await im?.close();
    await dbu?.close();
    await vhost?.drop();
  });

  const syncedAt = async () =>
    new Map(
      (
        await im.dataSource.query<{ item_no: string; synced_at: Date }[]>(`SELECT item_no, synced_at FROM item_details`)
      ).map((r) => [r.item_no, r.synced_at.toISOString()]),
    );

  const processed = async (id: string) =>
    (
      await im.dataSource.query(`SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2`, [
        ImQueues.catalogueUpdates.queue,
        id,
      ])
    ).length === 1;

  /** What DBU's import does: rewrites some products, then announces the import. */
  async function importInDbu(changed: string[], inline: boolean): Promise<string> {
    const importId = randomUUID();
    await dbu.seed(
      changed.map((itemNo) => ({
        ...catalogue.find((p) => p.item_no === itemNo)!,
        title: `Changed by ${importId.slice(0, 8)}`,
        rrp: '24.95',
        release_date: '2026-09-01',
        license: 'Marvel',
        import_id: importId,
      })),
    );
    const data: CatalogueImported = {
      import_id: importId,
      status: 'succeeded',
      counts: { new: 0, changed: changed.length, unchanged: 30 - changed.length, invalid: 0 },
      changed_items_url: `/api/products/?changed_in_import=${importId}`,
      ...(inline ? { changed_item_nos: changed } : {}),
    };
    const envelope = createEnvelope(EventTypes.catalogueImported, data);
    await publisher.publish(envelope, EventTypes.catalogueImported);
    await waitFor(() => processed(envelope.id), 30_000);
    return importId;
  }

  async function expectOnlyChanged(before: Map<string, string>, changed: string[]): Promise<void> {
    const after = await syncedAt();
    for (const itemNo of ours) {
      if (changed.includes(itemNo)) {
        expect(after.get(itemNo)).not.toBe(before.get(itemNo));
        expect(await detailsOf(im.dataSource, itemNo)).toMatchObject({
          title: expect.stringMatching(/^Changed by /),
          rrp: '24.95',
          release_date: '2026-09-01',
          license: 'Marvel',
        });
      } else {
        expect(after.get(itemNo)).toBe(before.get(itemNo));
      }
    }
    // Products we do not hold never become items.
    const [{ n }] = await im.dataSource.query(`SELECT count(*)::int AS n FROM items WHERE item_no >= 'C-20'`);
    expect(n).toBe(0);
  }

  it('uses the inlined changed_item_nos: one batched lookup of the intersection', async () => {
    const before = await syncedAt();
    const lookups = await metric('im_dbu_request_duration_seconds', { operation: 'lookup' });
    await importInDbu(['C-01', 'C-02', 'C-25'], true);
    await expectOnlyChanged(before, ['C-01', 'C-02']);
    expect((await metric('im_dbu_request_duration_seconds', { operation: 'lookup' })) - lookups).toBe(1);
  });

  it("pages DBU's changed_items_url when the list is not inlined", async () => {
    const before = await syncedAt();
    const pages = await metric('im_dbu_request_duration_seconds', { operation: 'changed' });
    await importInDbu(['C-03', 'C-04', 'C-21', 'C-22'], false);
    await expectOnlyChanged(before, ['C-03', 'C-04']);
    expect((await metric('im_dbu_request_duration_seconds', { operation: 'changed' })) - pages).toBe(1);
  });

  it('does nothing for an import that changed nothing', async () => {
    const before = await syncedAt();
    const calls = await metric('im_dbu_request_duration_seconds');
    const envelope = createEnvelope(EventTypes.catalogueImported, {
      import_id: randomUUID(),
      status: 'succeeded',
      counts: { new: 0, changed: 0, unchanged: 30, invalid: 0 },
      changed_items_url: '/api/products/?changed_in_import=00000000-0000-0000-0000-000000000000',
      changed_item_nos: [],
    });
    await publisher.publish(envelope, EventTypes.catalogueImported);
    await waitFor(() => processed(envelope.id), 20_000);
    expect(await metric('im_dbu_request_duration_seconds')).toBe(calls);
    expect(await syncedAt()).toEqual(before);
  });

  it('handles a redelivered import event once', async () => {
    const before = await syncedAt();
    const importId = randomUUID();
    await dbu.seed([{ ...catalogue[7], title: 'Changed once', import_id: importId }]);
    const envelope = createEnvelope(EventTypes.catalogueImported, {
      import_id: importId,
      status: 'succeeded',
      counts: { new: 0, changed: 1, unchanged: 29, invalid: 0 },
      changed_items_url: `/api/products/?changed_in_import=${importId}`,
      changed_item_nos: ['C-07'],
    });
    const duplicates = await metric('messages_consumed_total', {
      queue: ImQueues.catalogueUpdates.queue,
      outcome: 'duplicate',
    });
    await publisher.publish(envelope, EventTypes.catalogueImported);
    await publisher.publish(envelope, EventTypes.catalogueImported);
    await waitFor(
      async () =>
        (await metric('messages_consumed_total', { queue: ImQueues.catalogueUpdates.queue, outcome: 'duplicate' })) ===
        duplicates + 1,
      20_000,
    );
    expect(await detailsOf(im.dataSource, 'C-07')).toMatchObject({ title: 'Changed once' });
    const after = await syncedAt();
    expect([...after].filter(([itemNo, at]) => before.get(itemNo) !== at).map(([itemNo]) => itemNo)).toEqual(['C-07']);
  });

  it('dead-letters an event whose data breaks the contract, with the reason in x-error', async () => {
    await publisher.publish(
      createEnvelope(EventTypes.catalogueImported, { import_id: 'x', counts: { new: 'many' } }),
      EventTypes.catalogueImported,
    );
    const dead = await waitFor(
      async () =>
        (await broker.channel.get(deadLetterQueueName(ImQueues.catalogueUpdates.queue), { noAck: true })) || undefined,
      20_000,
    );
    expect(String(dead!.properties.headers?.[ERROR_HEADER])).toMatch(/invalid dbu\.catalogue\.imported data: .*counts/);
  });
});
