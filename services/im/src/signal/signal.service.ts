import { Injectable } from '@nestjs/common';
import { EventTypes, type SyncRequested } from '@pjs/contracts';
import { DataSource } from '@pjs/database';
import { counter } from '@pjs/metrics';
import { enqueueEvent, type Envelope } from '@pjs/messaging';
import { OutboxRelayHost } from './outbox-relay.host';

const signals = () => counter('im_sync_signals_total', 'Sync requests queued by POST /api/signal/');

/** Queues `im.sync.requested` through the transactional outbox; im-worker does the work. */
@Injectable()
export class SignalService {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: OutboxRelayHost,
  ) {}

  async requestSync(request: SyncRequested): Promise<Envelope<SyncRequested>> {
    const envelope = await this.db.transaction((manager) => enqueueEvent(manager, EventTypes.syncRequested, request));
    signals().inc();
    this.outbox.notify();
    return envelope;
  }
}
