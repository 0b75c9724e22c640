import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { LOGGER, type Logger } from '@pjs/logger';
import { AmqpConnection, parseData, startConsumer } from '@pjs/messaging';
import { ImportRunner } from '../runs/import-runner';
import { IMPORT_OPTIONS, type ImportOptions } from '../runs/import.options';
import { DbuJobs, DbuQueues, importRequestedSchema } from '../../messaging/dbu-jobs';

/**
 * dbu-worker's import jobs: one import at a time per worker (prefetch 1), acked only after the
 * run committed or failed for good; a failed try is retried with backoff, a worker that dies
 * mid-way has its message redelivered (the run's transaction rolled back with the connection).
 */
@Injectable()
export class ImportConsumer implements OnApplicationBootstrap {
  private readonly maxAttempts: number;

  constructor(
    private readonly amqp: AmqpConnection,
    private readonly runner: ImportRunner,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(IMPORT_OPTIONS) options: Pick<ImportOptions, 'maxAttempts'>,
  ) {
    this.maxAttempts = options.maxAttempts;
  }

  async onApplicationBootstrap(): Promise<void> {
    await startConsumer(
      this.amqp,
      {
        queue: DbuQueues.imports,
        routingKeys: [DbuJobs.importRequested],
        maxAttempts: this.maxAttempts,
        backoffMs: (attempt) => Math.min(5000 * 2 ** (attempt - 1), 300_000),
        handle: async (envelope, { attempt }) => {
          const { import_id } = parseData(envelope, importRequestedSchema);
          const result = await this.runner.execute(import_id, { finalAttempt: attempt >= this.maxAttempts });
          if (result.result === 'skipped') {
            this.logger.info('import job skipped', { import_id, reason: result.reason });
            return 'duplicate';
          }
        },
      },
      this.logger,
    );
  }
}
