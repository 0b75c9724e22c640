import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, type Logger } from '@pjs/logger';
import { AmqpConnection, declareQueueTopology } from '@pjs/messaging';
import { DbuJobs, DbuQueues } from '../../messaging/dbu-jobs';

/**
 * dbu-web declares dbu-worker's import queue too (idempotent, on every (re)connection): a job
 * published before any worker ever started is then queued, not dropped by the exchange.
 */
@Injectable()
export class ImportQueueTopology implements OnApplicationBootstrap {
  constructor(
    private readonly amqp: AmqpConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: the web app starts while the broker is down, the setup runs on connection.
    this.amqp.managedChannel
      .addSetup((channel: Parameters<typeof declareQueueTopology>[0]) =>
        declareQueueTopology(channel, DbuQueues.imports, [DbuJobs.importRequested]),
      )
      .catch((err: unknown) => this.logger.warn('could not declare the import queue', { err }));
  }
}
