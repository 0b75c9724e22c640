import { DeadLetterQueues, type DeadLetter, type DeadLetterSelection } from './dead-letters';

/**
 * The part of commander's `Command` the dlq commands use (this library does not depend on
 * commander; each service's CLI passes its program).
 */
export interface CommandLike {
  command(nameAndArgs: string): CommandLike;
  description(text: string): CommandLike;
  option(flags: string, description?: string): CommandLike;
  action(handler: (...args: unknown[]) => void | Promise<void>): CommandLike;
}

export interface DeadLetterCommandOptions {
  /** The service's work queues (each has `<queue>.dlq`). */
  queues: readonly string[];
  /** The broker URL from the service's configuration. */
  brokerUrl: () => Promise<string>;
  write?: (text: string) => void;
}

interface SelectionFlags {
  all?: boolean;
}

/**
 * `<cli> dlq list|show|replay|purge`: the dead-letter queues of a service's work queues, with the
 * reason of each message (our handlers' `x-error`, else the broker's `x-death`).
 */
export function registerDeadLetterCommands(program: CommandLike, options: DeadLetterCommandOptions): void {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const withQueues = async (run: (dlq: DeadLetterQueues) => Promise<void>) => {
    const dlq = await DeadLetterQueues.open(await options.brokerUrl(), options.queues);
    try {
      await run(dlq);
    } finally {
      await dlq.close();
    }
  };
  const dlq = program
    .command('dlq')
    .description(`dead-letter queues (${options.queues.map((q) => `${q}.dlq`).join(', ')}): list, show, replay, purge`);

  dlq
    .command('list [queue]')
    .option('--limit <n>', 'messages shown per queue (default 20)')
    .description('messages waiting in each dead-letter queue (or one), oldest first, with their reason')
    .action((...args: unknown[]) => {
      const [queue, flags] = args as [string | undefined, { limit?: string }];
      return withQueues(async (queues) => {
        const limit = flags.limit === undefined ? 20 : positiveInt(flags.limit, '--limit');
        const names = queue === undefined ? options.queues : [queues.workQueue(queue)];
        for (const summary of await queues.summary()) {
          if (!names.includes(summary.queue)) continue;
          write(`${summary.deadLetterQueue}: ${summary.messages} message(s)\n`);
          if (summary.messages === 0) continue;
          for (const letter of await queues.list(summary.queue, limit)) write(`  ${line(letter)}\n`);
          if (summary.messages > limit) write(`  … ${summary.messages - limit} more (--limit)\n`);
        }
      });
    });

  dlq
    .command('show <queue> <id>')
    .description('one dead letter: reason, headers and body')
    .action((...args: unknown[]) => {
      const [queue, id] = args as [string, string];
      return withQueues(async (queues) => {
        const letter = await queues.show(queue, id);
        if (!letter) throw new Error(`no message ${id} in ${queues.workQueue(queue)}.dlq`);
        write(`${line(letter)}\nheaders: ${JSON.stringify(letter.headers, null, 2)}\nbody: ${pretty(letter.body)}\n`);
      });
    });

  dlq
    .command('replay <queue> [ids...]')
    .option('--all', 'every message of the queue')
    .description('send dead letters back to their work queue (attempts reset), once their cause is fixed')
    .action((...args: unknown[]) => {
      const [queue, ids, flags] = args as [string, string[], SelectionFlags];
      return withQueues(async (queues) => {
        const replayed = await queues.replay(queue, selection(ids, flags));
        write(`replayed ${replayed.length} message(s) to ${queues.workQueue(queue)}${list(replayed)}\n`);
        missing(ids, replayed);
      });
    });

  dlq
    .command('purge <queue> [ids...]')
    .option('--all', 'every message of the queue')
    .description('delete dead letters for good')
    .action((...args: unknown[]) => {
      const [queue, ids, flags] = args as [string, string[], SelectionFlags];
      return withQueues(async (queues) => {
        const purged = await queues.purge(queue, selection(ids, flags));
        write(`purged ${purged} message(s) from ${queues.workQueue(queue)}.dlq\n`);
        if (ids.length > 0 && purged < new Set(ids).size) throw new Error('some of the given ids were not found');
      });
    });
}

function selection(ids: string[], flags: SelectionFlags): DeadLetterSelection {
  if (flags.all && ids.length > 0) throw new Error('give message ids or --all, not both');
  if (flags.all) return { all: true };
  if (ids.length === 0) throw new Error('give the ids of the messages (see dlq list) or --all');
  return { ids };
}

function missing(ids: string[], done: string[]): void {
  const absent = ids.filter((id) => !done.includes(id));
  if (absent.length > 0) throw new Error(`not found: ${absent.join(', ')}`);
}

function line(letter: DeadLetter): string {
  const parts = [
    `${letter.position}. ${letter.id}`,
    letter.type ?? '(no type)',
    letter.attempts === undefined ? undefined : `${letter.attempts} attempt(s)`,
    letter.deadLetteredAt === undefined ? undefined : `at ${letter.deadLetteredAt}`,
  ].filter((p) => p !== undefined);
  return `${parts.join(' · ')} — ${letter.reason}`;
}

function list(ids: string[]): string {
  return ids.length === 0 ? '' : `: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`;
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: must be a positive whole number`);
  return n;
}
