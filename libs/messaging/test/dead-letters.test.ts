import { PassThrough } from 'node:stream';
import { connect } from 'amqplib';
import { NestWinstonLogger, createLogger } from '@pjs/logger';
import {
  DeadLetterQueues,
  EnvelopePublisher,
  PermanentMessageError,
  connectBroker,
  createEnvelope,
  deadLetterQueueName,
  declareQueueTopology,
  registerDeadLetterCommands,
  startConsumer,
  type AmqpConnection,
  type CommandLike,
} from '@pjs/messaging';
import { createTestVhost, waitFor, type TestVhost } from '@pjs/testing';

const logger = createLogger({ service: 'test', process: 'worker', level: 'error', stream: new PassThrough() });

const QUEUE = 'dlq-test.work';
const OTHER = 'dlq-test.other';

/** A minimal stand-in for commander's program: records the commands and runs one by its words. */
class Program implements CommandLike {
  private readonly children = new Map<string, Program>();
  constructor(root = true) {
    if (root) this.children.set('', this);
  }
  private handler?: (...args: unknown[]) => void | Promise<void>;
  command(nameAndArgs: string): CommandLike {
    const child = new Program(false);
    this.children.set(nameAndArgs.split(' ')[0], child);
    return child;
  }
  description(): CommandLike {
    return this;
  }
  option(): CommandLike {
    return this;
  }
  action(handler: (...args: unknown[]) => void | Promise<void>): CommandLike {
    this.handler = handler;
    return this;
  }
  async run(words: string[], ...args: unknown[]): Promise<void> {
    const node = words.reduce<Program | undefined>((at, word) => at?.children.get(word), this.children.get(''));
    if (!node?.handler) throw new Error(`no command ${words.join(' ')}`);
    await node.handler(...args);
  }
}

describe('dead-letter queues: list, show, replay, purge (real RabbitMQ)', () => {
  let vhost: TestVhost;
  let consumer: AmqpConnection;
  let publisher: EnvelopePublisher;
  let dlq: DeadLetterQueues;
  /** Ids the handler refuses (dead-lettered at once) until it is "fixed". */
  const refused = new Set<string>();
  const handled: string[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost('dead_letters');
    consumer = await connectBroker({ url: vhost.url, prefetch: 5, logger: new NestWinstonLogger(logger) });
    await startConsumer(
      consumer,
      {
        queue: QUEUE,
        routingKeys: ['test.dlq.#'],
        maxAttempts: 2,
        backoffMs: () => 50,
        handle: async (envelope) => {
          if (refused.has(envelope.id)) throw new PermanentMessageError(`item ${envelope.id}: refused by the test`);
          if ((envelope.data as { flaky?: boolean }).flaky) throw new Error('DBU is down');
          handled.push(envelope.id);
          return undefined;
        },
      },
      logger,
    );
    publisher = new EnvelopePublisher(consumer);
    dlq = await DeadLetterQueues.open(vhost.url, [QUEUE, OTHER]);
  });

  afterAll(async () => {
    await dlq?.close();
    await consumer?.close().catch(() => undefined);
    await vhost?.drop();
  });

  it('lists dead letters with the reason our handlers set and the broker’s x-death', async () => {
    const permanent = createEnvelope('test.dlq.created', { n: 1 });
    refused.add(permanent.id);
    const retried = createEnvelope('test.dlq.created', { flaky: true });
    await publisher.publish(permanent, 'test.dlq.created');
    await publisher.publish(retried, 'test.dlq.created');
    // A message the broker dead-letters itself (rejected without requeue by some other client).
    const raw = await connect(vhost.url);
    const channel = await raw.createChannel();
    await declareQueueTopology(channel, OTHER, ['test.other']);
    channel.sendToQueue(OTHER, Buffer.from('not json'), { messageId: 'raw-1' });
    const got = await waitFor(async () => (await channel.get(OTHER, { noAck: false })) || undefined);
    channel.nack(got!, false, false);
    await channel.close();
    await raw.close();

    await waitFor(async () => (await dlq.summary()).find((s) => s.queue === QUEUE)?.messages === 2, 20_000);
    const letters = await dlq.list(QUEUE);
    expect(letters.map((l) => [l.id, l.attempts, l.reason])).toEqual(
      expect.arrayContaining([
        [permanent.id, 1, `item ${permanent.id}: refused by the test`],
        [retried.id, 2, 'DBU is down'],
      ]),
    );
    const other = (await waitFor(async () => (await dlq.list(OTHER)).at(0)))!;
    expect(other).toMatchObject({ id: 'raw-1', reason: `rejected by the broker in ${OTHER}`, body: 'not json' });
    expect(other.deadLetteredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Browsing takes nothing away.
    expect((await dlq.summary()).map((s) => s.messages)).toEqual([2, 1]);

    const shown = await dlq.show(`${QUEUE}.dlq`, permanent.id);
    expect(shown).toMatchObject({ id: permanent.id, type: 'test.dlq.created' });
    expect(JSON.parse(shown!.body)).toMatchObject({ id: permanent.id, data: { n: 1 } });
  });

  it('replays a dead letter to its work queue once its cause is fixed, and purges the rest', async () => {
    const [permanentId] = (await dlq.list(QUEUE)).filter((l) => l.attempts === 1).map((l) => l.id);
    refused.delete(permanentId);
    expect(await dlq.replay(QUEUE, { ids: [permanentId] })).toEqual([permanentId]);
    await waitFor(() => handled.includes(permanentId), 20_000);
    expect((await dlq.list(QUEUE)).map((l) => l.id)).not.toContain(permanentId);

    expect(await dlq.purge(OTHER, { ids: ['raw-1'] })).toBe(1);
    expect(await dlq.purge(QUEUE, { all: true })).toBe(1);
    expect((await dlq.summary()).map((s) => s.messages)).toEqual([0, 0]);
    expect(() => dlq.workQueue('nope')).toThrow('unknown queue "nope"; queues: dlq-test.work, dlq-test.other');
  });

  it('offers the same as `dlq list|show|replay|purge` commands', async () => {
    const envelope = createEnvelope('test.dlq.created', { n: 2 });
    refused.add(envelope.id);
    await publisher.publish(envelope, 'test.dlq.created');
    await waitFor(async () => (await dlq.summary())[0].messages === 1, 20_000);

    let output = '';
    const program = new Program();
    registerDeadLetterCommands(program, {
      queues: [QUEUE, OTHER],
      brokerUrl: () => Promise.resolve(vhost.url),
      write: (text) => void (output += text),
    });
    await program.run(['dlq', 'list'], undefined, {});
    expect(output).toContain(`${deadLetterQueueName(QUEUE)}: 1 message(s)`);
    expect(output).toContain(`1. ${envelope.id} · test.dlq.created · 1 attempt(s) — item ${envelope.id}: refused`);
    expect(output).toContain(`${deadLetterQueueName(OTHER)}: 0 message(s)`);

    output = '';
    await program.run(['dlq', 'show'], QUEUE, envelope.id);
    expect(output).toContain('"x-error"');
    await expect(program.run(['dlq', 'replay'], QUEUE, [], {})).rejects.toThrow('give the ids');
    await expect(program.run(['dlq', 'replay'], QUEUE, ['missing-id'], {})).rejects.toThrow('not found: missing-id');

    refused.delete(envelope.id);
    output = '';
    await program.run(['dlq', 'replay'], QUEUE, [], { all: true });
    expect(output).toContain(`replayed 1 message(s) to ${QUEUE}: ${envelope.id}`);
    await waitFor(() => handled.includes(envelope.id), 20_000);
    output = '';
    await program.run(['dlq', 'purge'], QUEUE, [], { all: true });
    expect(output).toContain(`purged 0 message(s) from ${QUEUE}.dlq`);
  });
});
