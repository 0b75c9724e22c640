import { Global, Module } from '@nestjs/common';
import { OutboxRelayService } from './outbox-relay.service';

/**
 * The process's outbox relay (dbu-web and dbu-worker), for every module that commits events
 * and wants them published at once. Processes without a broker (the CLI) leave it out; their
 * services then inject it as optional.
 */
@Global()
@Module({
  providers: [OutboxRelayService],
  exports: [OutboxRelayService],
})
export class OutboxRelayModule {}
