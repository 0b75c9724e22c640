import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { SignalService } from './signal.service';
import { SyncStatusRepository } from './sync-status.repository';

/** `POST /api/signal/`: sync requests queued through the outbox for im-worker; the sync status. */
@Module({
  imports: [OutboxModule],
  providers: [SignalService, SyncStatusRepository],
  exports: [SignalService, SyncStatusRepository],
})
export class SignalModule {}
