import { Module } from '@nestjs/common';
import { OutboxRelayHost } from './outbox-relay.host';

/** The transactional outbox relay of the process (im-web and im-worker); needs the broker. */
@Module({
  providers: [OutboxRelayHost],
  exports: [OutboxRelayHost],
})
export class OutboxModule {}
