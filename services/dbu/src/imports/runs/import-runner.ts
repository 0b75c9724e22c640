import { Inject, Injectable, Optional } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { OutboxRelayService } from '../../messaging/outbox-relay.service';
import type { ProgressListener } from './import-progress';
import { ImportRunRepository } from './import-run.repository';
import { collectGarbage } from './collect-garbage';
import { ImportFileError } from '../read/import-file.error';
import { importMetrics } from './import.metrics';
import { IMPORT_OPTIONS, type ImportOptions } from './import.options';
import { ImporterRegistry, type ImportOutcome } from './importer-registry';

export type RunResult =
  | { result: 'done'; outcome: ImportOutcome }
  | { result: 'failed'; error: string }
  /** Finished before, unknown, or being run by another live process right now. */
  | { result: 'skipped'; reason: string };

export interface RunOptions {
  /** No retry follows: a failure marks the run failed (the CLI, the consumer's last try). */
  finalAttempt: boolean;
  listener?: ProgressListener;
}

/**
 * Runs an import run exactly once at a time: a session advisory lock per run (released when the
 * process ends or dies), a bounded number of attempts, and the run's status kept truthful
 * (queued again for a retry, failed with the reason otherwise).
 */
@Injectable()
export class ImportRunner {
  constructor(
    private readonly db: DataSource,
    private readonly runs: ImportRunRepository,
    private readonly importers: ImporterRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(IMPORT_OPTIONS) private readonly options: Pick<ImportOptions, 'maxAttempts'>,
    /** The process's relay, told when a run committed its event (absent in the CLI). */
    @Optional() private readonly relay?: OutboxRelayService,
  ) {}

  async execute(id: string, options: RunOptions): Promise<RunResult> {
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      if (!(await this.runs.tryLockRun(qr, id))) return { result: 'skipped', reason: 'another process is running it' };
      try {
        return await this.attempt(qr, id, options);
      } finally {
        await this.runs.unlockRun(qr, id).catch(() => undefined);
      }
    } finally {
      await qr.release();
      collectGarbage();
    }
  }

  private async attempt(qr: QueryRunner, id: string, options: RunOptions): Promise<RunResult> {
    const attempt = await this.runs.claim(id);
    if (attempt === undefined) return { result: 'skipped', reason: 'finished or unknown' };
    if (attempt > this.options.maxAttempts) {
      const error = `gave up after ${this.options.maxAttempts} attempts (the worker stopped during each)`;
      await this.runs.fail(id, error);
      importMetrics.runs().inc({ status: 'failed' });
      return { result: 'failed', error };
    }
    const run = (await this.runs.get(id))!;
    const started = Date.now();
    try {
      const outcome = await this.importers.get(run.kind).run(qr, run, options.listener);
      this.count(outcome, started);
      this.logger.info('import finished', {
        import_id: id,
        kind: run.kind,
        status: outcome.status,
        counts: outcome.counts,
      });
      if (outcome.eventId) this.relay?.notify();
      return { result: 'done', outcome };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof ImportFileError || options.finalAttempt) {
        await this.runs.fail(id, message);
        importMetrics.runs().inc({ status: 'failed' });
        this.logger.warn('import failed', { import_id: id, attempt, reason: message });
        if (err instanceof ImportFileError) return { result: 'failed', error: message };
      } else {
        await this.runs.requeue(id, message).catch(() => undefined);
      }
      throw err;
    }
  }

  private count(outcome: ImportOutcome, started: number): void {
    const { counts } = outcome;
    importMetrics.runs().inc({ status: outcome.dryRun ? 'dry_run' : outcome.status });
    importMetrics.duration().observe((Date.now() - started) / 1000);
    importMetrics.progress().set(1);
    importMetrics.rows().inc({ outcome: 'rejected' }, counts.invalid);
    if (outcome.dryRun || outcome.status !== 'succeeded') return;
    importMetrics.rows().inc({ outcome: 'imported' }, counts.new + counts.changed);
    importMetrics.rows().inc({ outcome: 'unchanged' }, counts.unchanged);
  }
}
