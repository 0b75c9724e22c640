import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { EventTypes, catalogueImportedSchema, syncRequestedSchema } from '@pjs/contracts';
import { DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import {
  AmqpConnection,
  PermanentMessageError,
  parseData,
  processOnce,
  startConsumer,
  type Envelope,
  type HandlerOutcome,
} from '@pjs/messaging';
import { ImQueues } from '../core/im-queues';
import { SyncService, type SyncResult } from './sync.service';

export const SYNC_CONSUMER_OPTIONS = Symbol('SYNC_CONSUMER_OPTIONS');

export interface SyncConsumerOptions {
  /** Tries while DBU is down before a message is dead-lettered. */
  maxAttempts: number;
  /** Delay before the 2nd try; doubles per try up to maxDelayMs. */
  retryDelayMs: number;
  maxDelayMs: number;
}

/**
 * im-worker's sync consumers: `im.sync.requested` runs sync-missing-details (or refreshes all /
 * the given items), `dbu.catalogue.imported` refreshes what the import changed. A failure (DBU
 * down, circuit open, timeout) sends the message to its retry queue with a growing delay, so the
 * request is done later instead of being lost; batches written before the failure stay written.
 * A message id is recorded once the work is complete, so a redelivery of a finished message is a
 * no-op, and a redelivery of an interrupted one does only what is left.
 */
@Injectable()
export class SyncConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly amqp: AmqpConnection,
    private readonly db: DataSource,
    private readonly sync: SyncService,
    @Inject(SYNC_CONSUMER_OPTIONS) private readonly options: SyncConsumerOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const backoffMs = (attempt: number) =>
      Math.min(this.options.retryDelayMs * 2 ** (attempt - 1), this.options.maxDelayMs);
    await startConsumer(
      this.amqp,
      {
        ...ImQueues.syncRequests,
        maxAttempts: this.options.maxAttempts,
        backoffMs,
        handle: (envelope) => this.handleSyncRequested(envelope),
      },
      this.logger,
    );
    await startConsumer(
      this.amqp,
      {
        ...ImQueues.catalogueUpdates,
        maxAttempts: this.options.maxAttempts,
        backoffMs,
        handle: (envelope) => this.handleCatalogueImported(envelope),
      },
      this.logger,
    );
  }

  async handleSyncRequested(envelope: Envelope): Promise<HandlerOutcome> {
    expectType(envelope, EventTypes.syncRequested);
    const request = parseData(envelope, syncRequestedSchema);
    return this.once(ImQueues.syncRequests.queue, envelope, () => {
      if (request.item_nos) return this.sync.refreshItems(request.item_nos);
      return request.scope === 'all' ? this.sync.syncAll() : this.sync.syncMissing();
    });
  }

  async handleCatalogueImported(envelope: Envelope): Promise<HandlerOutcome> {
    expectType(envelope, EventTypes.catalogueImported);
    const event = parseData(envelope, catalogueImportedSchema);
    return this.once(ImQueues.catalogueUpdates.queue, envelope, async () => {
      if (event.counts.new + event.counts.changed === 0 && !event.changed_item_nos?.length) {
        this.logger.info('DBU import changed nothing; no refresh', { import_id: event.import_id });
        return undefined;
      }
      return this.sync.refreshChanged({
        changedItemNos: event.changed_item_nos,
        changedItemsUrl: event.changed_items_url,
      });
    });
  }

  /** Skips a message already done; records it once the work is complete. */
  private async once(
    consumer: string,
    envelope: Envelope,
    work: () => Promise<SyncResult | undefined>,
  ): Promise<HandlerOutcome> {
    const seen = await this.db.query<unknown[]>(
      `SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2`,
      [consumer, envelope.id],
    );
    if (seen.length > 0) return 'duplicate';
    await work();
    const recorded = await processOnce(this.db, consumer, envelope.id, async () => undefined);
    return recorded.duplicate ? 'duplicate' : undefined;
  }
}

function expectType(envelope: Envelope, type: string): void {
  if (envelope.type !== type) {
    throw new PermanentMessageError(`unexpected message type "${envelope.type}" (this queue takes "${type}")`);
  }
}
