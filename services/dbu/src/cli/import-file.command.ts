import { writeFile } from 'node:fs/promises';
import { Inject, Injectable, Logger as NestLogger } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { AmqpConnection, EnvelopePublisher, OutboxRelay, rabbitConfig } from '@pjs/messaging';
import { DBU_CONFIG, type DbuConfig } from '../config/dbu-config';
import { errorsCsv } from '../imports/report/errors-csv';
import type { ProgressSnapshot } from '../imports/runs/import-progress';
import { ImportRequestService } from '../imports/runs/import-request.service';
import { ImportRunRepository } from '../imports/runs/import-run.repository';
import type { ErrorPolicy, ImportKind, ImportRunRow } from '../imports/runs/import-run.types';
import { ImportRunner } from '../imports/runs/import-runner';
import { MediaStore } from '../imports/upload/media-store';
import { out, progressBar } from './cli-output';

export interface FileCommandOptions {
  dryRun?: boolean;
  profile?: string;
  errorPolicy: ErrorPolicy;
  force?: boolean;
  errorsCsv?: string;
}

/**
 * `import <file>` and `normalize-gpsr <file>`: the same pipeline as dbu-worker, run in this
 * process with a progress bar, then the run's outcome for people (and the exit code: 1 failed,
 * 2 rejected).
 */
@Injectable()
export class ImportFileCommand {
  constructor(
    @Inject(DBU_CONFIG) private readonly config: DbuConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly db: DataSource,
    private readonly media: MediaStore,
    private readonly requests: ImportRequestService,
    private readonly runner: ImportRunner,
    private readonly runs: ImportRunRepository,
  ) {}

  async run(kind: ImportKind, path: string, options: FileCommandOptions): Promise<void> {
    const file = await this.media.saveLocalFile(path);
    const submission = await this.requests.submit({
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
      result = await this.runner.execute(submission.run.id, { finalAttempt: true, listener });
      run = (await this.runs.get(submission.run.id))!;
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
      for await (const chunk of errorsCsv(run, (after, limit) => this.runs.rejectedRows(run.id, limit, after)))
        text += chunk;
      await writeFile(options.errorsCsv, text);
      out(`rejected rows written to ${options.errorsCsv}`);
    }
    if (result.result === 'done' && result.outcome.eventId) await this.publishNow();
    if (run.status === 'failed') process.exitCode = 1;
    else if (run.status === 'rejected') process.exitCode = 2;
  }

  /**
   * Publishes this command's event right away when the broker answers; otherwise a running
   * relay (dbu-web's or dbu-worker's) does. One short-lived connection, not the process's own.
   */
  private async publishNow(): Promise<void> {
    NestLogger.overrideLogger(['error']); // the broker client logs through Nest's console logger
    const amqp = new AmqpConnection(rabbitConfig({ url: this.config.RABBITMQ_URL, connectTimeoutMs: 3000 }));
    try {
      await amqp.init();
      await new OutboxRelay(this.db, new EnvelopePublisher(amqp), this.logger, { publishTimeoutMs: 3000 }).relayOnce();
      out('  event dbu.catalogue.imported published');
    } catch {
      out('  event dbu.catalogue.imported queued in the outbox (the broker did not answer; dbu-worker publishes it)');
    } finally {
      // Also stops the reconnect attempts of a connection that never came up.
      await amqp.close().catch(() => undefined);
    }
  }
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
