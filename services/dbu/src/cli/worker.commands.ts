import { Option, type Command } from 'commander';
import { parseDuration } from '@pjs/config';
import { CATEGORIES_SYNC_OPTIONS, type CategoriesSyncOptions } from '../categories-sync/categories-sync.options';
import { CategoriesSyncService } from '../categories-sync/categories-sync.service';
import { CLEANUP_OPTIONS, type CleanupOptions } from '../cleanup/cleanup.options';
import { UploadCleanupService } from '../cleanup/upload-cleanup.service';
import type { ImportKind } from '../imports/runs/import-run.types';
import { PhotoService } from '../photos/photo.service';
import { withCli } from './cli-context';
import { out, progressBar } from './cli-output';
import { ImportFileCommand, type FileCommandOptions } from './import-file.command';

/** import, normalize-gpsr, fetch-photos, fetch-categories, cleanup-uploads. */
export function registerWorkerCommands(program: Command): void {
  const fileCommand = (kind: ImportKind) => (file: string, options: FileCommandOptions) =>
    withCli((app) => app.get(ImportFileCommand).run(kind, file, options));

  program
    .command('import')
    .argument('<file>', 'catalogue file (CSV or XLSX)')
    .option('--dry-run', 'compute the diff (new / changed / unchanged / invalid) without changing anything')
    .option('--profile <profile>', 'import profile id or name (default: the default profile)')
    .addOption(
      new Option('--error-policy <policy>', 'what invalid rows do to the rest')
        .choices(['apply-valid', 'reject-all'])
        .default('apply-valid'),
    )
    .option('--force', 'import even if this file content was imported before')
    .option('--errors-csv <path>', 'write the rejected rows (source layout, with reasons) to this file')
    .description('import a catalogue file with the same pipeline as dbu-worker, showing progress')
    .action(fileCommand('catalogue'));

  program
    .command('normalize-gpsr')
    .argument('<file>', 'GPSR spreadsheet (CSV or XLSX) with manufacturer data')
    .option('--dry-run', 'show what would change without changing anything')
    .addOption(
      new Option('--error-policy <policy>', 'what invalid rows do to the rest')
        .choices(['apply-valid', 'reject-all'])
        .default('apply-valid'),
    )
    .option('--force', 'run even if this file content was normalised before')
    .option('--errors-csv <path>', 'write the rejected rows to this file')
    .description('turn a GPSR spreadsheet into deduplicated manufacturers linked to the products')
    .action(fileCommand('gpsr'));

  program
    .command('fetch-photos')
    .option('--missing', 'only products without a stored photo of their current image URL (and due retries)')
    .option('--limit <n>', 'at most this many photos', (v) => positiveInt(v, '--limit'))
    .description('download product photos (PHOTO_CONCURRENCY at a time) into MEDIA_DIR')
    .action((options: { missing?: boolean; limit?: number }) =>
      withCli(async (app) => {
        const photos = app.get(PhotoService);
        const scope = options.missing ? 'missing' : 'all';
        const total = Math.min(await photos.countCandidates(scope), options.limit ?? Infinity);
        const bar = progressBar('{bar} {value}/{total} photos | {duration_formatted}');
        bar.start(total, 0);
        const result = await photos.pass({
          scope,
          limit: options.limit ?? Number.MAX_SAFE_INTEGER,
          onProgress: (n) => bar.update(n),
        });
        bar.stop();
        if (result.busy) {
          out('another photo pass is running; try again later');
          process.exitCode = 75;
          return;
        }
        out(`photos: ${result.attempted} tried, ${result.stored} stored, ${result.failed} failed`);
        for (const f of result.failures.slice(0, 20)) out(`  ${f.item_no}: ${f.error} (${f.url})`);
        if (result.failures.length > 20) out(`  … ${result.failed - 20} more`);
        if (result.summary) {
          const s = result.summary;
          out(`all photos: ${s.stored} stored, ${s.retrying} failed (retried later), ${s.given_up} given up`);
        }
      }),
    );

  program
    .command('fetch-categories')
    .option('--url <url>', 'category feed (default: WHOLESALER_CATEGORIES_URL)')
    .description("read the wholesaler's category tree (JSON or CSV) and upsert it")
    .action((options: { url?: string }) =>
      withCli(async (app) => {
        const { url } = app.get<CategoriesSyncOptions>(CATEGORIES_SYNC_OPTIONS);
        const result = await app.get(CategoriesSyncService).sync(options.url ?? url);
        out(
          `categories: ${result.total} in the feed, ${result.created} created, ${result.updated} updated, ` +
            `${result.unchanged} unchanged, ${result.repathed} re-pathed below a renamed parent`,
        );
      }),
    );

  program
    .command('cleanup-uploads')
    .option('--older-than <age>', 'delete uploads older than this (e.g. 30d, 12h; default CLEANUP_OLDER_THAN)')
    .option('--dry-run', 'only say what would be deleted')
    .description('delete old upload files no running import needs (database records are kept)')
    .action((options: { olderThan?: string; dryRun?: boolean }) =>
      withCli(async (app) => {
        const defaults = app.get<CleanupOptions>(CLEANUP_OPTIONS);
        const olderThanMs = options.olderThan === undefined ? defaults.olderThanMs : parseDuration(options.olderThan);
        if (olderThanMs === undefined)
          throw new Error(`--older-than: "${options.olderThan}" is not a duration (e.g. 30d, 12h)`);
        const result = await app.get(UploadCleanupService).cleanup({ olderThanMs, dryRun: options.dryRun });
        out(
          `${result.dryRun ? 'would delete' : 'deleted'} ${result.deleted} of ${result.scanned} upload files ` +
            `(${(result.bytesFreed / 1024 / 1024).toFixed(1)} MB); kept ${result.keptForLiveImports} that running imports need`,
        );
      }),
    );
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: must be a positive whole number`);
  return n;
}
