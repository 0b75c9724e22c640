import { NestWinstonLogger, createLogger } from '@pjs/logger';
import {
  EnvelopePublisher,
  MessagingSchema1732200000001,
  OutboxRelay,
  connectBroker,
  createEnvelope,
  deadLetterQueueName,
  enqueueEvent,
  processOnce,
  startConsumer,
  type AmqpConnection,
  type Envelope,
} from '@pjs/messaging';
import { TcpProxy, createMigratedDatabase, createTestVhost, waitFor, type TestVhost } from '@pjs/testing';
import { PassThrough } from 'node:stream';
import type { DataSource } from 'typeorm';

const logger = createLogger({ service: 'test', process: 'worker', level: 'error', stream: new PassThrough() });

describe('messaging (real PostgreSQL + RabbitMQ)', () => {
  let vhost: TestVhost;
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let dataSource: DataSource;
  const connections: AmqpConnection[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost('messaging');
    db = await createMigratedDatabase('messaging', { migrations: [MessagingSchema1732200000001] });
    dataSource = db.dataSource;
  });

  afterAll(async () => {
    for (const c of connections) await c.close().catch(() => undefined);
    await db.close();
    await vhost.drop();
  });

  async function broker(url = vhost.url): Promise<AmqpConnection> {
    const c = await connectBroker({ url, prefetch: 5, logger: new NestWinstonLogger(logger) });
    connections.push(c);
    return c;
  }

  it('delivers an event written while the broker was unreachable once it is back', async () => {
    const target = new URL(vhost.url);
    const proxy = new TcpProxy('127.0.0.1', Number(target.port || 5672));
    await proxy.start();
    const viaProxy = new URL(vhost.url);
    viaProxy.port = String(proxy.port);
    const consumerConn = await broker();
    const received: Envelope[] = [];
    await startConsumer(
      consumerConn,
      { queue: 'outbox-test', routingKeys: ['test.outbox.#'], handle: async (e) => void received.push(e) },
      logger,
    );

    const publisherConn = await broker(viaProxy.toString());
    const relay = new OutboxRelay(dataSource, new EnvelopePublisher(publisherConn), logger, {
      idleIntervalMs: 50,
      retryIntervalMs: 100,
      maxBackoffMs: 200,
      publishTimeoutMs: 500,
    });
    await proxy.cut();
    const written = await dataSource.transaction((m) => enqueueEvent(m, 'test.outbox.created', { n: 1 }));
    relay.start();
    // While the broker is unreachable the event stays pending and nothing is lost.
    await waitFor(async () => {
      const [row] = await dataSource.query(`SELECT attempts FROM outbox_messages WHERE id = $1`, [written.id]);
      return row.attempts > 0;
    });
    expect(received).toHaveLength(0);

    await proxy.restore();
    await waitFor(() => received.length === 1, 20_000);
    await relay.stop();
    expect(received[0].id).toBe(written.id);
    expect(received[0].data).toEqual({ n: 1 });
    const [row] = await dataSource.query(`SELECT published_at FROM outbox_messages WHERE id = $1`, [written.id]);
    expect(row.published_at).not.toBeNull();
    await proxy.stop();
  });

  it('does not publish an event whose transaction rolled back', async () => {
    await expect(
      dataSource.transaction(async (m) => {
        await enqueueEvent(m, 'test.rollback', {});
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const rows = await dataSource.query(`SELECT 1 FROM outbox_messages WHERE type = 'test.rollback'`);
    expect(rows).toHaveLength(0);
  });

  it('dead-letters a poisoned message after N tries with the reason in x-error', async () => {
    const conn = await broker();
    let tries = 0;
    await startConsumer(
      conn,
      {
        queue: 'poison-test',
        routingKeys: ['test.poison'],
        maxAttempts: 3,
        backoffMs: () => 50,
        handle: async () => {
          tries += 1;
          throw new Error('cannot handle this');
        },
      },
      logger,
    );
    await new EnvelopePublisher(conn).publish(createEnvelope('test.poison', { bad: true }), 'test.poison');
    await waitFor(() => tries === 3, 15_000);
    const dead = await waitFor(() => conn.channel.get(deadLetterQueueName('poison-test'), { noAck: true }), 15_000);
    expect(dead && dead.properties.headers?.['x-error']).toBe('cannot handle this');
    expect(dead && dead.properties.headers?.['x-attempts']).toBe(3);
    expect(tries).toBe(3);
  });

  it('dead-letters an invalid envelope at once without calling the handler', async () => {
    const conn = await broker();
    let calls = 0;
    await startConsumer(
      conn,
      { queue: 'invalid-test', routingKeys: ['test.invalid'], handle: async () => void (calls += 1) },
      logger,
    );
    await conn.publish('pjs.events', 'test.invalid', Buffer.from('{"not":"an envelope"}'));
    const dead = await waitFor(() => conn.channel.get(deadLetterQueueName('invalid-test'), { noAck: true }), 15_000);
    expect(dead && String(dead.properties.headers?.['x-error'])).toMatch(/not a valid envelope: id/);
    expect(calls).toBe(0);
  });

  it('handles a duplicate message id once', async () => {
    const conn = await broker();
    await dataSource.query(`CREATE TABLE IF NOT EXISTS effects (message_id text, n int)`);
    const outcomes: string[] = [];
    await startConsumer(
      conn,
      {
        queue: 'dedupe-test',
        routingKeys: ['test.dedupe'],
        handle: async (envelope) => {
          const result = await processOnce(dataSource, 'dedupe-test', envelope.id, (m) =>
            m.query(`INSERT INTO effects VALUES ($1, 1)`, [envelope.id]),
          );
          outcomes.push(result.duplicate ? 'duplicate' : 'applied');
          return result.duplicate ? 'duplicate' : undefined;
        },
      },
      logger,
    );
    const envelope = createEnvelope('test.dedupe', { x: 1 });
    const publisher = new EnvelopePublisher(conn);
    await publisher.publish(envelope, 'test.dedupe');
    await publisher.publish(envelope, 'test.dedupe');
    await waitFor(() => outcomes.length === 2, 15_000);
    expect(outcomes.sort()).toEqual(['applied', 'duplicate']);
    const rows = await dataSource.query(`SELECT count(*)::int AS n FROM effects WHERE message_id = $1`, [envelope.id]);
    expect(rows[0].n).toBe(1);
  });

  it('carries the correlation id from the publisher into the consumer', async () => {
    const conn = await broker();
    const seen: (string | undefined)[] = [];
    const { currentCorrelationId, runWithCorrelationId } = await import('@pjs/logger');
    await startConsumer(
      conn,
      { queue: 'corr-test', routingKeys: ['test.corr'], handle: async () => void seen.push(currentCorrelationId()) },
      logger,
    );
    const envelope = runWithCorrelationId('req-abc-123', () => createEnvelope('test.corr', {}, currentCorrelationId()));
    await new EnvelopePublisher(conn).publish(envelope, 'test.corr');
    await waitFor(() => seen.length === 1, 15_000);
    expect(seen[0]).toBe('req-abc-123');
  });
});
