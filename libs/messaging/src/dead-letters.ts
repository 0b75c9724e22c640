import { connect, type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import { ATTEMPTS_HEADER, ERROR_HEADER } from './consumer';
import { deadLetterQueueName } from './topology';

/** One message of a dead-letter queue, as operators see it. */
export interface DeadLetter {
  /** Position in the DLQ (1 = oldest) when it was read. */
  position: number;
  /** The envelope's id (else the AMQP message id, else `#<position>`). */
  id: string;
  type?: string;
  routingKey: string;
  /** Tries our consumer made (`x-attempts`). */
  attempts?: number;
  /** Why it was dead-lettered: our handlers' `x-error`, else the broker's `x-death` reason. */
  reason: string;
  /** When the broker dead-lettered it (`x-death`), if it did. */
  deadLetteredAt?: string;
  headers: Record<string, unknown>;
  body: string;
}

export interface DeadLetterQueueSummary {
  queue: string;
  deadLetterQueue: string;
  messages: number;
}

/** Which messages an operation takes: all, or those with the given ids. */
export type DeadLetterSelection = { all: true } | { ids: readonly string[] };

const REPLAY_DROPPED_HEADERS = [
  ATTEMPTS_HEADER,
  ERROR_HEADER,
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
];

/**
 * The dead-letter queues of one service's work queues (`<queue>.dlq`): list, show, replay to the
 * work queue, purge. Messages are read with basic.get and held unacknowledged while an operation
 * runs; the ones it does not take are given back in their order (requeued), so a DLQ can be browsed
 * without losing anything. Shared by `pnpm dbu dlq` and `pnpm im dlq`.
 */
export class DeadLetterQueues {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
    readonly queues: readonly string[],
  ) {}

  static async open(url: string, queues: readonly string[]): Promise<DeadLetterQueues> {
    const connection = await connect(url);
    const channel = await connection.createConfirmChannel();
    return new DeadLetterQueues(connection, channel, queues);
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  /** The work queue a name refers to (`im.sync-requests` or `im.sync-requests.dlq`); unknown names throw. */
  workQueue(name: string): string {
    const queue = name.endsWith('.dlq') ? name.slice(0, -'.dlq'.length) : name;
    if (!this.queues.includes(queue)) {
      throw new Error(`unknown queue "${name}"; queues: ${this.queues.join(', ')}`);
    }
    return queue;
  }

  /** Messages waiting in each dead-letter queue (a queue never declared counts 0). */
  async summary(): Promise<DeadLetterQueueSummary[]> {
    const summaries: DeadLetterQueueSummary[] = [];
    for (const queue of this.queues) {
      summaries.push({ queue, deadLetterQueue: deadLetterQueueName(queue), messages: await this.depth(queue) });
    }
    return summaries;
  }

  /** The first `limit` dead letters of a queue, oldest first; nothing is removed. */
  async list(queue: string, limit = 50): Promise<DeadLetter[]> {
    const found: DeadLetter[] = [];
    await this.browse(queue, (letter) => {
      if (found.length >= limit) return 'stop';
      found.push(letter);
      return 'keep';
    });
    return found;
  }

  /** One dead letter by id, or undefined. */
  async show(queue: string, id: string): Promise<DeadLetter | undefined> {
    let found: DeadLetter | undefined;
    await this.browse(queue, (letter) => {
      if (letter.id !== id) return 'keep';
      found = letter;
      return 'stop';
    });
    return found;
  }

  /**
   * Sends the selected dead letters back to their work queue (directly, not through the topic
   * exchange: no other queue gets a copy) with the attempt count and error cleared, and removes
   * them from the DLQ once the broker has confirmed the copy. Answers the ids replayed.
   */
  async replay(queue: string, selection: DeadLetterSelection): Promise<string[]> {
    const work = this.workQueue(queue);
    const replayed: string[] = [];
    await this.browse(work, (letter, message) => {
      if (!selected(selection, letter)) return 'keep';
      const headers: Record<string, unknown> = { ...letter.headers, 'x-replayed-at': new Date().toISOString() };
      headers['x-last-error'] = letter.reason;
      for (const name of REPLAY_DROPPED_HEADERS) delete headers[name];
      this.channel.sendToQueue(work, message.content, { ...message.properties, headers, persistent: true });
      replayed.push(letter.id);
      return 'take';
    });
    return replayed;
  }

  /** Deletes the selected dead letters (all: the whole DLQ). Answers how many were deleted. */
  async purge(queue: string, selection: DeadLetterSelection): Promise<number> {
    const work = this.workQueue(queue);
    if ('all' in selection) {
      const { messageCount } = await this.channel.purgeQueue(deadLetterQueueName(work));
      return messageCount;
    }
    let purged = 0;
    await this.browse(work, (letter) => {
      if (!selected(selection, letter)) return 'keep';
      purged += 1;
      return 'take';
    });
    return purged;
  }

  private async depth(queue: string): Promise<number> {
    // checkQueue on a missing queue closes the channel: ask on a throwaway one.
    const probe = await this.connection.createChannel();
    probe.on('error', () => undefined);
    try {
      return (await probe.checkQueue(deadLetterQueueName(queue))).messageCount;
    } catch {
      return 0;
    } finally {
      await probe.close().catch(() => undefined);
    }
  }

  /**
   * Reads the DLQ from its head; `visit` keeps a message (given back afterwards), takes it (acked
   * once the broker confirmed what the visitor published) or stops the walk.
   */
  private async browse(
    queue: string,
    visit: (letter: DeadLetter, message: GetMessage) => 'keep' | 'take' | 'stop',
  ): Promise<void> {
    const work = this.workQueue(queue);
    const dlq = deadLetterQueueName(work);
    if ((await this.depth(work)) === 0) return;
    const kept: GetMessage[] = [];
    const taken: GetMessage[] = [];
    try {
      for (let position = 1; ; position++) {
        const message = await this.channel.get(dlq, { noAck: false });
        // Kept messages are given back only after the walk, so each is seen once.
        if (message === false) break;
        const decision = visit(describe(message, position), message);
        if (decision === 'take') taken.push(message);
        else kept.push(message);
        if (decision === 'stop') break;
      }
      await this.channel.waitForConfirms();
      for (const message of taken) this.channel.ack(message);
    } finally {
      for (const message of kept) this.channel.nack(message, false, true);
    }
  }
}

function selected(selection: DeadLetterSelection, letter: DeadLetter): boolean {
  return 'all' in selection || selection.ids.includes(letter.id);
}

interface XDeath {
  reason?: string;
  queue?: string;
  time?: { value?: number } | Date | number;
  count?: number;
}

function describe(message: GetMessage, position: number): DeadLetter {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const body = message.content.toString('utf8');
  let envelope: { id?: unknown; type?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') envelope = parsed;
  } catch {
    // Not JSON: shown as it is.
  }
  const deaths = Array.isArray(headers['x-death']) ? (headers['x-death'] as XDeath[]) : [];
  const death = deaths[0];
  const error = typeof headers[ERROR_HEADER] === 'string' ? headers[ERROR_HEADER] : undefined;
  const attempts = Number(headers[ATTEMPTS_HEADER]);
  const messageId = message.properties.messageId as unknown;
  return {
    position,
    id:
      typeof envelope.id === 'string'
        ? envelope.id
        : typeof messageId === 'string' && messageId
          ? messageId
          : `#${position}`,
    type: typeof envelope.type === 'string' ? envelope.type : (message.properties.type as string | undefined),
    routingKey: death?.queue ?? message.fields.routingKey,
    attempts: Number.isFinite(attempts) && attempts > 0 ? attempts : undefined,
    reason:
      error ??
      (death?.reason
        ? `${death.reason} by the broker in ${death.queue ?? 'its queue'}${death.count && death.count > 1 ? ` (${death.count} times)` : ''}`
        : 'unknown (no x-error or x-death header)'),
    deadLetteredAt: deathTime(death),
    headers,
    body,
  };
}

function deathTime(death: XDeath | undefined): string | undefined {
  const time = death?.time;
  if (time instanceof Date) return time.toISOString();
  const seconds = typeof time === 'number' ? time : time?.value;
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : undefined;
}
