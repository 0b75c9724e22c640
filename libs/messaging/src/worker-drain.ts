import type { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from '@pjs/logger';

interface InFlight {
  count: number;
  idle: Array<() => void>;
}

const inFlight = new WeakMap<AmqpConnection, InFlight>();

function stateOf(amqp: AmqpConnection): InFlight {
  let state = inFlight.get(amqp);
  if (!state) {
    state = { count: 0, idle: [] };
    inFlight.set(amqp, state);
  }
  return state;
}

/** Counts a message handler of this connection as running until `work` settles. */
export async function trackHandler<T>(amqp: AmqpConnection, work: () => Promise<T>): Promise<T> {
  const state = stateOf(amqp);
  state.count++;
  try {
    return await work();
  } finally {
    state.count--;
    if (state.count === 0) for (const wake of state.idle.splice(0)) wake();
  }
}

/**
 * Stops taking messages: cancels every consumer of the connection, then waits (at most
 * `timeoutMs`) for the handlers already running. Answers whether they all finished; a message
 * whose handler did not finish is never acked, so the broker hands it to another worker.
 */
export async function stopConsuming(amqp: AmqpConnection, timeoutMs: number): Promise<boolean> {
  await Promise.all(amqp.consumerTags.map((tag) => amqp.cancelConsumer(tag).catch(() => undefined)));
  const state = stateOf(amqp);
  if (state.count === 0) return true;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    state.idle.push(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export interface WorkerStopOptions {
  app: INestApplicationContext;
  amqp: AmqpConnection;
  logger: Logger;
  /** Longest wait for running handlers (`DRAIN_TIMEOUT`). */
  timeoutMs: number;
  /** Closes what the entry point opened itself (the metrics listener). */
  onStopped?: () => void | Promise<void>;
}

/**
 * A worker's SIGTERM / SIGINT: stop consuming, let running handlers finish, close the app (broker
 * and database connections), then exit.
 */
export function stopWorkerOnSignal(options: WorkerStopOptions): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    options.logger.info('draining', { signal });
    void (async () => {
      const finished = await stopConsuming(options.amqp, options.timeoutMs);
      if (!finished)
        options.logger.warn('handlers still running at the drain timeout; their messages go back to the queue');
      await options.app.close();
      await options.onStopped?.();
      options.logger.info('stopped');
    })()
      .catch((err: unknown) =>
        options.logger.error('stop failed', { error: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => setTimeout(() => process.exit(0), 100).unref());
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
