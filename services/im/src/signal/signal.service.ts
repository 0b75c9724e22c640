import { Injectable } from '@nestjs/common';
import { EventTypes, type SyncRequested } from '@pjs/contracts';
import { DataSource, type EntityManager } from '@pjs/database';
import { counter } from '@pjs/metrics';
import { enqueueEvent, type Envelope } from '@pjs/messaging';
import { OutboxRelayHost } from '../outbox/outbox-relay.host';

const signals = () => counter('im_sync_signals_total', 'Sync requests queued by POST /api/signal/');

/** Queues `im.sync.requested` through the transactional outbox; im-worker does the work. */
@Injectable()
export class SignalService {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: OutboxRelayHost,
  ) {}

  /** `tx`: the caller's transaction (the request's Idempotency-Key is stored in it). */
  async requestSync(request: SyncRequested, tx?: EntityManager): Promise<Envelope<SyncRequested>> {
    const envelope = await (tx ?? this.db.manager).transaction((manager) =>
      enqueueEvent(manager, EventTypes.syncRequested, request),
    );
    signals().inc();
    this.outbox.notify();
    return envelope;
  }
}
