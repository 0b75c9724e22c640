import { writeFile } from 'node:fs/promises';
import { Logger as NestLogger } from '@nestjs/common';
import { Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { parseDuration } from '@pjs/config';
import type { DataSource } from '@pjs/database';
import { createLogger, type Logger } from '@pjs/logger';
import { AmqpConnection, EnvelopePublisher, OutboxRelay, rabbitConfig } from '@pjs/messaging';
import { CategoriesSyncService } from '../categories-sync/categories-sync.service';
import { UploadCleanupService } from '../cleanup/upload-cleanup.service';
import type { DbuConfig } from '../config/dbu-config';
import { errorsCsv } from '../imports/errors-csv';
import type { ProgressSnapshot } from '../imports/import-progress';
import { createImportServices, type ImportServices } from '../imports/import-services';
import type { ErrorPolicy, ImportKind, ImportRunRow } from '../imports/import-run.types';
import { createPhotoService } from '../photos/create-photo-service';
import { withCli } from './cli-context';

const out = (line = '') => process.stdout.write(`${line}\n`);

/** import, normalize-gpsr, fetch-photos, fetch-categories, cleanup-uploads. */
export function registerWorkerCommands(program: Command): void {
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
    .action((file: string, options: FileCommandOptions) => runFileCommand('catalogue', file, options));

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
    .action((file: string, options: FileCommandOptions) => runFileCommand('gpsr', file, options));

  program
    .command('fetch-photos')
    .option('--missing', 'only products without a stored photo of their current image URL (and due retries)')
    .option('--limit <n>', 'at most this many photos', (v) => positiveInt(v, '--limit'))
    .description('download product photos (PHOTO_CONCURRENCY at a time) into MEDIA_DIR')
    .action((options: { missing?: boolean; limit?: number }) =>
      withCli(async ({ config, dataSource }) => {
        const logger = quietLogger(config);
        const photos = createPhotoService(dataSource, logger, config);
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
      withCli(async ({ config, dataSource }) => {
        const sync = new CategoriesSyncService(dataSource, quietLogger(config), {
          url: config.WHOLESALER_CATEGORIES_URL,
          timeoutMs: config.CATEGORIES_TIMEOUT,
        });
        const result = await sync.sync(options.url ?? config.WHOLESALER_CATEGORIES_URL);
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
      withCli(async ({ config, dataSource }) => {
        const olderThanMs =
          options.olderThan === undefined ? config.CLEANUP_OLDER_THAN : parseDuration(options.olderThan);
        if (olderThanMs === undefined)
          throw new Error(`--older-than: "${options.olderThan}" is not a duration (e.g. 30d, 12h)`);
        const services = importServices(config, dataSource, quietLogger(config));
        const result = await new UploadCleanupService(services.media, services.runs, quietLogger(config)).cleanup({
          olderThanMs,
          dryRun: options.dryRun,
        });
        out(
          `${result.dryRun ? 'would delete' : 'deleted'} ${result.deleted} of ${result.scanned} upload files ` +
            `(${(result.bytesFreed / 1024 / 1024).toFixed(1)} MB); kept ${result.keptForLiveImports} that running imports need`,
        );
      }),
    );
}

interface FileCommandOptions {
  dryRun?: boolean;
  profile?: string;
  errorPolicy: ErrorPolicy;
  force?: boolean;
  errorsCsv?: string;
}

async function runFileCommand(kind: ImportKind, path: string, options: FileCommandOptions): Promise<void> {
  await withCli(async ({ config, dataSource }) => {
    const logger = quietLogger(config);
    const services = importServices(config, dataSource, logger);
    const file = await services.media.saveLocalFile(path);
    const submission = await services.requests.submit({
      kind,
      file,
      profile: options.profile,
      errorPolicy: options.errorPolicy,
      dryRun: !!options.dryRun,
      force: !!options.force,
      source: 'cli',
      requestedBy: process.env.USER ?? 'cli',
      enqueue: false,
    });
    if (submission.duplicate) {
      const existing = submission.existing;
      out(
        `duplicate: this file (sha256 ${file.sha256.slice(0, 12)}…) was already imported as ${existing.id} ` +
          `(${existing.status}, ${existing.created_at}); nothing done. Use --force to import it again.`,
      );
      return;
    }
    const bar = progressBar('{bar} {percentage}% | {phase} | {rows} rows | {rate} rows/s | {duration_formatted}');
    bar.start(100, 0, { phase: 'parsing', rows: 0, rate: 0 });
    const listener = (s: ProgressSnapshot) =>
      bar.update(Math.floor(s.percent), { phase: s.phase, rows: s.rowsDone, rate: Math.round(s.rowsPerSecond) });
    let result;
    let run: ImportRunRow;
    try {
      result = await services.runner.execute(submission.run.id, { finalAttempt: true, listener });
      run = (await services.runs.get(submission.run.id))!;
      bar.update(100, {
        phase: run.status,
        rows: run.rows_total ?? run.rows_done,
        rate: Number(run.rows_per_second ?? 0),
      });
    } finally {
      bar.stop();
    }
    printRun(run);
    if (options.errorsCsv && (run.invalid_count ?? 0) > 0) {
      let text = '';
      for await (const chunk of errorsCsv(run, (after, limit) => services.runs.rejectedRows(run.id, limit, after)))
        text += chunk;
      await writeFile(options.errorsCsv, text);
      out(`rejected rows written to ${options.errorsCsv}`);
    }
    if (result.result === 'done' && result.outcome.eventId) await publishNow(config, dataSource, logger);
    if (run.status === 'failed') process.exitCode = 1;
    else if (run.status === 'rejected') process.exitCode = 2;
  });
}

function printRun(run: ImportRunRow): void {
  const seconds = (ms: number | null) => (ms === null ? '?' : (ms / 1000).toFixed(1));
  out(
    `${run.kind === 'gpsr' ? 'GPSR run' : 'import'} ${run.id}: ${run.status}${run.dry_run ? ' (dry run, nothing changed)' : ''}`,
  );
  if (run.error) out(`  ${run.error}`);
  if (run.new_count !== null) {
    const what = run.kind === 'gpsr' ? 'manufacturers' : 'products';
    out(
      `  rows: ${run.rows_total} — ${what} new ${run.new_count}, changed ${run.changed_count}, unchanged ${run.unchanged_count}; ` +
        `invalid rows ${run.invalid_count}, blank ${run.blank_count}`,
    );
    out(
      `  time: parse ${seconds(run.parse_ms)} s, merge ${seconds(run.merge_ms)} s, ${run.rows_per_second ?? '?'} rows/s`,
    );
  }
  if (run.unmapped_columns?.length) {
    out(`  unmapped columns: ${run.unmapped_columns.map((c) => `"${c.header}" (${c.reason})`).join(', ')}`);
  }
  const details = run.details ?? {};
  if (run.kind === 'gpsr' && run.new_count !== null) {
    out(
      `  products linked ${String(details.products_linked)}, changed ${String(details.products_changed)}, ` +
        `unknown item numbers ${String(details.unknown_items)}; products with incomplete GPSR data: ${String(details.incomplete_products)}`,
    );
    for (const c of (details.conflicts as { manufacturer: string; field: string; values: string[] }[] | undefined) ??
      []) {
      out(`  ${c.manufacturer}: ${c.field} differs between rows (${c.values.join(' / ')}); the most frequent was used`);
    }
  }
  const diff = run.diff as {
    changes?: { item_no: string; changes: { field: string; old: string; new: string }[] }[];
    new_items?: string[];
  } | null;
  if (run.dry_run && diff?.changes) {
    if (diff.new_items?.length) out(`  new (sample): ${diff.new_items.join(', ')}`);
    for (const item of diff.changes) {
      out(`  ${item.item_no}: ${item.changes.map((c) => `${c.field} ${c.old ?? '∅'} → ${c.new ?? '∅'}`).join('; ')}`);
    }
  }
  if ((run.invalid_count ?? 0) > 0)
    out(`  ${run.invalid_count} rejected row(s): GET /api/imports/${run.id}/errors.csv or --errors-csv`);
}

/** Publishes this command's event right away when the broker answers; otherwise a running relay does. */
async function publishNow(config: DbuConfig, dataSource: DataSource, logger: Logger): Promise<void> {
  NestLogger.overrideLogger(['error']); // the broker client logs through Nest's console logger
  const amqp = new AmqpConnection(rabbitConfig({ url: config.RABBITMQ_URL, connectTimeoutMs: 3000 }));
  try {
    await amqp.init();
    await new OutboxRelay(dataSource, new EnvelopePublisher(amqp), logger, { publishTimeoutMs: 3000 }).relayOnce();
    out('  event dbu.catalogue.imported published');
  } catch {
    out('  event dbu.catalogue.imported queued in the outbox (the broker did not answer; dbu-worker publishes it)');
  } finally {
    // Also stops the reconnect attempts of a connection that never came up.
    await amqp.close().catch(() => undefined);
  }
}

function importServices(config: DbuConfig, dataSource: DataSource, logger: Logger): ImportServices {
  return createImportServices({
    db: dataSource,
    mediaDir: config.MEDIA_DIR,
    logger,
    signalEnabled: !!config.SIGNAL_URL,
    maxAttempts: config.IMPORT_MAX_ATTEMPTS,
  });
}

/** The CLI's own output is for people: logs go to stderr, warnings and errors only. */
function quietLogger(config: DbuConfig): Logger {
  const level = ['error', 'warn'].includes(config.LOG_LEVEL) ? config.LOG_LEVEL : 'warn';
  return createLogger({ service: 'dbu', process: 'cli', level, stream: process.stderr });
}

function progressBar(format: string): SingleBar {
  return new SingleBar({
    format,
    stream: process.stderr,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 5000,
    barsize: 30,
  });
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: must be a positive whole number`);
  return n;
}
