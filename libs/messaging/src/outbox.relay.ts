import type { DataSource } from 'typeorm';
import type { Logger } from '@pjs/logger';
import type { Envelope } from './envelope';
import { messagingMetrics } from './messaging.metrics';
import type { PublishOptions } from './publisher';

export interface EnvelopeSink {
  publish(envelope: Envelope, routingKey: string, options?: PublishOptions): Promise<void>;
}

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Pause between polls when the outbox is empty. */
  idleIntervalMs?: number;
  /** Pause after a failed publish (broker down), doubled up to maxBackoffMs. */
  retryIntervalMs?: number;
  maxBackoffMs?: number;
  publishTimeoutMs?: number;
  /** Published rows older than this are deleted. */
  keepPublishedMs?: number;
}

interface PendingRow {
  seq: string;
  routing_key: string;
  envelope: Envelope;
}

/**
 * Publishes outbox rows in commit order with publisher confirms. Rows are locked with
 * SKIP LOCKED so several relays can run; a row is marked published only after the broker
 * confirmed it, so a crash or outage re-sends (consumers are idempotent), never loses.
 */
export class OutboxRelay {
  private readonly options: Required<OutboxRelayOptions>;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastPrune = 0;

  constructor(
    private readonly db: DataSource,
    private readonly sink: EnvelopeSink,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.options = {
      batchSize: options.batchSize ?? 200,
      idleIntervalMs: options.idleIntervalMs ?? 500,
      retryIntervalMs: options.retryIntervalMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      publishTimeoutMs: options.publishTimeoutMs ?? 5000,
      keepPublishedMs: options.keepPublishedMs ?? 7 * 86_400_000,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Asks the relay to look now (after this process committed an event). */
  notify(): void {
    this.wake?.();
  }

  /** Publishes one batch; returns how many rows were confirmed. Throws if any publish failed. */
  async relayOnce(): Promise<number> {
    // Confirmed and failed rows are recorded in the same commit; the failure is raised after it.
    const outcome = await this.db.transaction(
      async (manager): Promise<{ sent: number; failure?: OutboxPublishError }> => {
        const rows = await manager.query<PendingRow[]>(
          `SELECT seq, routing_key, envelope FROM outbox_messages
          WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [this.options.batchSize],
        );
        if (rows.length === 0) return { sent: 0 };
        const results = await Promise.allSettled(
          rows.map((row) =>
            this.sink.publish(row.envelope, row.routing_key, { timeoutMs: this.options.publishTimeoutMs }),
          ),
        );
        const done = rows.filter((_, i) => results[i].status === 'fulfilled').map((r) => r.seq);
        const failed = rows.filter((_, i) => results[i].status === 'rejected').map((r) => r.seq);
        if (done.length) {
          await manager.query(`UPDATE outbox_messages SET published_at = now() WHERE seq = ANY($1::bigint[])`, [done]);
          messagingMetrics.published().inc(done.length);
        }
        if (failed.length) {
          const reason = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as Error;
          await manager.query(
            `UPDATE outbox_messages SET attempts = attempts + 1, last_error = $2 WHERE seq = ANY($1::bigint[])`,
            [failed, String(reason?.message ?? reason).slice(0, 500)],
          );
          return { sent: done.length, failure: new OutboxPublishError(failed.length, reason) };
        }
        return { sent: done.length };
      },
    );
    if (outcome.failure) throw outcome.failure;
    return outcome.sent;
  }

  /** Updates the backlog gauges; called before each scrape. */
  async refreshMetrics(): Promise<void> {
    const rows = await this.db.query<{ pending: number; age: number }[]>(
      `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS age
         FROM outbox_messages WHERE published_at IS NULL`,
    );
    messagingMetrics.backlog().set(rows[0]?.pending ?? 0);
    messagingMetrics.oldestPendingAge().set(rows[0]?.age ?? 0);
  }

  private async run(): Promise<void> {
    let backoff = this.options.retryIntervalMs;
    while (this.running) {
      let delay = this.options.idleIntervalMs;
      try {
        const sent = await this.relayOnce();
        backoff = this.options.retryIntervalMs;
        if (sent === this.options.batchSize) delay = 0;
        await this.pruneIfDue();
      } catch (err) {
        this.logger.warn('outbox relay could not publish; will retry', { err, retry_in_ms: backoff });
        delay = backoff;
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs);
      }
      if (delay > 0 && this.running) await this.sleep(delay);
    }
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPrune < 3_600_000) return;
    this.lastPrune = Date.now();
    await this.db.query(
      `DELETE FROM outbox_messages WHERE published_at < now() - ($1::bigint * interval '1 millisecond')`,
      [this.options.keepPublishedMs],
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

export class OutboxPublishError extends Error {
  constructor(
    readonly failedCount: number,
    readonly reason: unknown,
  ) {
    super(`${failedCount} outbox event(s) not confirmed: ${(reason as Error)?.message ?? String(reason)}`);
    this.name = 'OutboxPublishError';
  }
}
