import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { CatalogueReconciler, type ReconcileResult } from '../sync/catalogue-reconciler';
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
      withCli(async (app) => {
        const sync = app.get(SyncService);
        const batchSize = options.batchSize;
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
          result = options.all
            ? await sync.syncAll({ onProgress, batchSize })
            : await sync.syncMissing({ onProgress, batchSize });
        } finally {
          if (started) bar.stop();
        }
        process.stdout.write(
          `${result.updated} item(s) updated from DBU, ${result.notFound} not found in DBU, ` +
            `${result.requested} looked up in ${result.requests} request(s)\n`,
        );
      }),
    );

  program
    .command('reconcile')
    .description("follow DBU's changes feed from the stored cursor now (what im-worker does every RECONCILE_INTERVAL)")
    .action(() =>
      withCli(async (app) => {
        process.stdout.write(`${reconcileSummary(await app.get(CatalogueReconciler).reconcile())}\n`);
      }),
    );

  program
    .command('resync-catalogue')
    .description(
      "after a DBU restore: forget the feed cursor and every item's details, copy them all from DBU again, " +
        'then follow the changes feed from its head (waits for a running reconcile)',
    )
    .action(() =>
      withCli(async (app) => {
        process.stdout.write(`${reconcileSummary(await app.get(CatalogueReconciler).resync())}\n`);
      }),
    );
}

function reconcileSummary(result: ReconcileResult): string {
  if (result.outcome === 'busy') return 'another reconcile is running; nothing done';
  return (
    `${result.refreshed} item(s) refreshed from DBU${result.copiedAll ? ' (full copy)' : ''}, ` +
    `${result.changes} change(s) read from the feed, ${result.deleted} of deleted products`
  );
}
