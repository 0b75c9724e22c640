import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { EventTypes, catalogueImportedSchema } from '@pjs/contracts';
import { connectBroker, startConsumer, type AmqpConnection } from '@pjs/messaging';
import { registry } from '@pjs/metrics';
import { TcpProxy, createTestVhost, waitFor, type TestVhost } from '@pjs/testing';
import type { ImportRunRow } from '../../src/imports/runs/import-run.types';
import { ImportWatchdog } from '../../src/imports/queue/import-watchdog';
import { SIGNAL_HEADERS, verifySignal } from '../../src/signals/signature';
import { OutboxRelayService } from '../../src/messaging/outbox-relay.service';
import { createWorkerApp } from '../../src/worker.bootstrap';
import { FakeWholesaler } from '../fakes/wholesaler.fake';
import {
  HEADER,
  createDbuTestContext,
  csvLine,
  importRun,
  testConfig,
  until,
  writeFixture,
  type DbuTestContext,
} from './support/dbu-test-context';

const SECRET = 'signal-secret-for-tests';
const FAST_RELAY = { idleIntervalMs: 50, retryIntervalMs: 100, maxBackoffMs: 300, publishTimeoutMs: 500 };

/** A SIGNAL_URL receiver: answers the first `failures` POSTs with 503, then verifies and keeps them. */
class SignalReceiver {
  readonly received: { headers: IncomingMessage['headers']; body: string; valid: boolean }[] = [];
  failures = 1;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        if (this.failures > 0) {
          this.failures -= 1;
          res.writeHead(503).end();
          return;
        }
        const valid = verifySignal(
          SECRET,
          {
            timestamp: req.headers[SIGNAL_HEADERS.timestamp] as string,
            signature: req.headers[SIGNAL_HEADERS.signature] as string,
          },
          body,
        );
        this.received.push({ headers: req.headers, body, valid });
        res.writeHead(valid ? 204 : 401).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/dbu`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('dbu-worker (real PostgreSQL + RabbitMQ)', () => {
  let ctx: DbuTestContext;
  let vhost: TestVhost;
  let proxy: TcpProxy;
  let worker: INestApplicationContext;
  let observer: AmqpConnection;
  let receiver: SignalReceiver;
  let fake: FakeWholesaler;
  /** Events seen on a queue of another service (as im-worker would bind it). */
  const seen: { id: string; type: string; data: unknown }[] = [];

  beforeAll(async () => {
    ctx = await createDbuTestContext('worker');
    vhost = await createTestVhost('dbu_worker');
    const target = new URL(vhost.url);
    proxy = new TcpProxy('127.0.0.1', Number(target.port || 5672));
    await proxy.start();
    const viaProxy = new URL(vhost.url);
    viaProxy.port = String(proxy.port);
    receiver = new SignalReceiver();
    fake = new FakeWholesaler();
    await fake.start();
    const config = await testConfig(ctx, viaProxy.toString(), {
      SIGNAL_URL: await receiver.start(),
      SIGNAL_SECRET: SECRET,
      SIGNAL_RETRY_AFTER: '100ms',
      PHOTO_TIMEOUT: '2s',
    });
    worker = await createWorkerApp(config, ctx.dataSource, ctx.logger, { relay: FAST_RELAY });

    observer = await connectBroker({ url: vhost.url });
    await startConsumer(
      observer,
      {
        queue: 'test.im-catalogue',
        routingKeys: [EventTypes.catalogueImported],
        handle: async (envelope) => void seen.push({ id: envelope.id, type: envelope.type, data: envelope.data }),
      },
      ctx.logger,
    );
  });

  afterAll(async () => {
    await worker?.close();
    await observer?.close();
    await proxy?.stop();
    await receiver?.stop();
    await fake?.stop();
    await vhost?.drop();
    await ctx?.close();
  });

  const upload = async (name: string, rows: string[], options: { errorPolicy?: 'reject-all' } = {}) => {
    const file = await ctx.services.media.saveLocalFile(await writeFixture(ctx, name, [HEADER, ...rows].join('\n')));
    const submission = await ctx.services.requests.submit({
      kind: 'catalogue',
      file,
      errorPolicy: options.errorPolicy ?? 'apply-valid',
      dryRun: false,
      force: false,
      source: 'upload',
      requestedBy: 'uploader',
      enqueue: true,
    });
    if (submission.duplicate) throw new Error('duplicate');
    return submission.run.id;
  };
  const finished = (id: string) =>
    until(async () => {
      const run = await ctx.services.runs.get(id);
      return run && !['queued', 'running'].includes(run.status) ? run : undefined;
    }, 30_000);

  it('imports a queued upload, publishes dbu.catalogue.imported and signals SIGNAL_URL with a verifiable signature', async () => {
    const id = await upload('queued.csv', [
      csvLine({ item_no: 'W-1', title: 'Eins', image: fake.url('/img/w-1.jpg') }),
      csvLine({ item_no: 'W-2', title: 'Zwei', ek: '3,50' }),
    ]);
    const run: ImportRunRow = await finished(id);
    expect(run).toMatchObject({ status: 'succeeded', new_count: 2, source: 'upload', attempts: 1 });

    const event = await until(() => seen.find((e) => (e.data as { import_id: string }).import_id === id), 15_000);
    expect(event.type).toBe(EventTypes.catalogueImported);
    expect(catalogueImportedSchema.parse(event.data)).toEqual({
      import_id: id,
      status: 'succeeded',
      counts: { new: 2, changed: 0, unchanged: 0, invalid: 0 },
      changed_items_url: `/api/products/?changed_in_import=${id}`,
      changed_item_nos: ['W-1', 'W-2'],
    });

    // The receiver refused the first POST (503): the signal was retried and then verified.
    const delivered = await until(async () => {
      const current = await ctx.services.runs.get(id);
      return current?.signal_status === 'delivered' ? current : undefined;
    }, 15_000);
    expect(delivered.signal_attempts).toBe(2);
    const signal = receiver.received.find((r) => JSON.parse(r.body).id === event.id)!;
    expect(signal.valid).toBe(true);
    expect(signal.headers[SIGNAL_HEADERS.event]).toBe(EventTypes.catalogueImported);
    expect(JSON.parse(signal.body).data.import_id).toBe(id);

    // The import event also started the photo job: W-1's picture is stored.
    await waitFor(async () => {
      const [photo] = await ctx.dataSource.query(`SELECT status FROM product_photos WHERE item_no = 'W-1'`);
      return photo?.status === 'stored';
    }, 15_000);
  });

  it('delivers the event to the consumer queue even when the broker was unreachable at commit time', async () => {
    await proxy.cut();
    const path = await writeFixture(
      ctx,
      'outage.csv',
      [HEADER, csvLine({ item_no: 'W-OUT', title: 'Während des Ausfalls' })].join('\n'),
    );
    const run = await importRun(ctx, path);
    expect(run.status).toBe('succeeded');
    // The worker's relay cannot reach the broker: the event waits in the outbox.
    await waitFor(async () => {
      const [row] = await ctx.dataSource.query(
        `SELECT attempts FROM outbox_messages WHERE type = $1 AND envelope -> 'data' ->> 'import_id' = $2`,
        [EventTypes.catalogueImported, run.id],
      );
      return row && row.attempts > 0;
    }, 15_000);
    expect(seen.some((e) => (e.data as { import_id: string }).import_id === run.id)).toBe(false);

    await proxy.restore();
    await waitFor(() => seen.some((e) => (e.data as { import_id: string }).import_id === run.id), 30_000);
  });

  it('fails a job whose file cannot be imported at once (no retries) and keeps the reason', async () => {
    const file = await ctx.services.media.saveLocalFile(await writeFixture(ctx, 'bad.csv', 'Nummer;Irgendwas\n1;2\n'));
    const submission = await ctx.services.requests.submit({
      kind: 'catalogue',
      file,
      errorPolicy: 'apply-valid',
      dryRun: false,
      force: false,
      source: 'upload',
      requestedBy: 'uploader',
      enqueue: true,
    });
    if (submission.duplicate) throw new Error('duplicate');
    const run = await finished(submission.run.id);
    expect(run).toMatchObject({ status: 'failed', attempts: 1 });
    expect(run.error).toMatch(/required column missing: item_no/);
  });

  it('queues runs again whose job was lost (watchdog)', async () => {
    const file = await ctx.services.media.saveLocalFile(
      await writeFixture(ctx, 'lost.csv', [HEADER, csvLine({ item_no: 'W-LOST', title: 'Verloren' })].join('\n')),
    );
    const submission = await ctx.services.requests.submit({
      kind: 'catalogue',
      file,
      errorPolicy: 'apply-valid',
      dryRun: false,
      force: false,
      source: 'upload',
      requestedBy: 'uploader',
      enqueue: false, // the job message never existed
    });
    if (submission.duplicate) throw new Error('duplicate');
    const watchdog = worker.get(ImportWatchdog);
    expect(await watchdog.check()).toEqual([]); // not stale yet
    await ctx.dataSource.query(`UPDATE import_runs SET created_at = now() - interval '1 hour' WHERE id = $1`, [
      submission.run.id,
    ]);
    expect(await watchdog.check()).toEqual([submission.run.id]);
    expect(await finished(submission.run.id)).toMatchObject({ status: 'succeeded', new_count: 1 });
  });
  it('exposes import, photo and outbox metrics for /metrics', async () => {
    let text = '';
    const value = (name: string, label = '') =>
      Number(new RegExp(`^${name}(?:\\{[^}]*${label}[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    // The backlog is read from the outbox before each scrape; the last events are relayed within moments.
    await waitFor(async () => {
      await worker.get(OutboxRelayService).refreshMetrics();
      text = await registry.metrics();
      return value('outbox_backlog') === 0;
    }, 10_000);
    expect(value('dbu_imports_total', 'status="succeeded"')).toBeGreaterThanOrEqual(3);
    expect(value('dbu_imports_total', 'status="failed"')).toBeGreaterThanOrEqual(1);
    expect(value('dbu_import_rows_total', 'outcome="imported"')).toBeGreaterThanOrEqual(4);
    expect(value('dbu_import_duration_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(value('dbu_import_progress_ratio')).toBe(1);
    expect(value('dbu_import_rows_per_second')).toBeGreaterThan(0);
    expect(value('dbu_photos_fetched_total', 'outcome="ok"')).toBeGreaterThanOrEqual(1);
  });
});
