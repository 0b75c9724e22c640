import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { DbuClient } from '../dbu-client/dbu-client';
import { ItemDetailsRepository } from '../sync/item-details.repository';
import { SyncService, type SyncResult } from '../sync/sync.service';
import { withCli } from './cli-context';

interface SyncCommandOptions {
  all?: boolean;
  batchSize?: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new Error(`--batch-size must be a whole number from 1 to 500`);
  return n;
}

/** `pnpm im sync-missing-details`: what im-worker does on `im.sync.requested`, from the shell. */
export function registerSyncCommands(program: Command): void {
  program
    .command('sync-missing-details')
    .description('copy product details from DBU into items that have none (batched lookups, progress bar)')
    .option('--all', 'refresh the details of every item, not only the missing ones')
    .option('--batch-size <n>', 'item numbers per DBU request (1-500; default SYNC_BATCH_SIZE)', positiveInt)
    .action((options: SyncCommandOptions) =>
      withCli(async ({ config, dataSource, logger }) => {
        const sync = new SyncService(
          DbuClient.fromConfig(config, logger),
          new ItemDetailsRepository(dataSource),
          { batchSize: options.batchSize ?? config.SYNC_BATCH_SIZE },
          logger,
        );
        const bar = new SingleBar(
          {
            format: 'sync [{bar}] {percentage}% | {value}/{total} items | ETA {eta_formatted}',
            stream: process.stderr,
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        let started = false;
        const onProgress = ({ done, total }: { done: number; total: number }) => {
          if (!started) {
            bar.start(total, done);
            started = true;
          } else {
            bar.setTotal(total);
            bar.update(done);
          }
        };
        let result: SyncResult;
        try {
          result = options.all ? await sync.syncAll({ onProgress }) : await sync.syncMissing({ onProgress });
        } finally {
          if (started) bar.stop();
        }
        process.stdout.write(
          `${result.updated} item(s) updated from DBU, ${result.notFound} not found in DBU, ` +
            `${result.requested} looked up in ${result.requests} request(s)\n`,
        );
      }),
    );
}
