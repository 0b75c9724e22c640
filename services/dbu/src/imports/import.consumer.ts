import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from '@pjs/logger';
import { parseData, startConsumer, type AmqpConnection } from '@pjs/messaging';
import type { ImportRunner } from './import-runner';
import { DbuJobs, DbuQueues, importRequestedSchema } from './import.jobs';

/**
 * dbu-worker's import jobs: one import at a time per worker (prefetch 1), acked only after the
 * run committed or failed for good; a failed try is retried with backoff, a worker that dies
 * mid-way has its message redelivered (the run's transaction rolled back with the connection).
 */
export class ImportConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly amqp: AmqpConnection,
    private readonly runner: ImportRunner,
    private readonly logger: Logger,
    private readonly maxAttempts: number,
  ) {}

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
