import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { AuditWriter } from '@pjs/audit';
import { EventTypes, type CatalogueImported } from '@pjs/contracts';
import { LOGGER, type Logger } from '@pjs/logger';
import { enqueueEvent } from '@pjs/messaging';
import {
  CATALOGUE_HEADER_VARIANTS,
  REQUIRED_CATALOGUE_FIELDS,
  mapColumns,
  type CatalogueField,
  type ColumnMapping,
} from '../import-profiles/column-mapping';
import { CatalogueRowEncoder } from './map/catalogue-row.encoder';
import { CatalogueMergeRepository, type DiffCounts } from './merge/catalogue-merge.repository';
import { lockCatalogueForMerge } from './merge/catalogue-lock';
import { MergePlan } from './merge/merge-sql';
import { ImportFileError } from './read/import-file.error';
import { readHeader } from './read/read-header';
import { ImportReviewRepository } from './review/import-review.repository';
import { collectRows, openRowSource, type RowSource, type RowSourceSettings, type SourceRow } from './read/row-source';
import { StepTimer, rowsPerSecond } from './report/step-timer';
import { importAppliedEntry } from './runs/import-audit';
import { ImportProgress, type ProgressListener } from './runs/import-progress';
import { ImportRunRepository } from './runs/import-run.repository';
import type { ImportCounts, ImportRunRow } from './runs/import-run.types';
import {
  IMPORT_HOOKS,
  IMPORT_OPTIONS,
  type ImportHooks,
  type ImportOptions,
  type MergeStep,
} from './runs/import.options';
import { ImporterRegistry, type ImportOutcome, type KindImporter } from './runs/importer-registry';
import { CatalogueStageRepository } from './stage/catalogue-stage.repository';
import { copyRows } from './stage/copy-rows';
import { MediaStore } from './upload/media-store';

/** Items listed in the event itself; beyond, consumers page `changed_items_url`. */
const INLINE_ITEMS = 1000;
/** From this many staged rows on, the merge uses hash joins only. */
const BULK_ROWS = 20_000;

/** One run of the pipeline: the file being read and what the steps learn about it. */
interface CatalogueRun {
  run: ImportRunRow;
  qr: QueryRunner;
  path: string;
  sourceSettings: RowSourceSettings;
  source: RowSource;
  batches: AsyncIterator<SourceRow[]>;
  progress: ImportProgress;
  started: number;
  timings: StepTimer;
}

/** What the file holds once it is staged: counts of the rows read. */
interface StagedFile {
  encoder: CatalogueRowEncoder;
  plan: MergePlan;
  itemNoHeader: string;
  parseMs: number;
}

/** The file compared with the catalogue, before anything is written. */
interface Comparison {
  delta: DiffCounts;
  counts: ImportCounts;
  /** Valid rows whose item number came again later in the file (the last one is used). */
  duplicates: number;
  totals: { blank: number; rowsTotal: number; parseMs: number };
  mergeStarted: number;
}

/**
 * The catalogue pipeline, one transaction from the first row to the run's final state and the
 * outbox event, so a worker that dies mid-way leaves nothing behind:
 *
 *   read   the stored upload, CSV or XLSX, as batches of rows           (read/)
 *   map    the header to product fields (the run's profile), each cell   (map/, import-profiles/)
 *          checked and written in canonical form
 *   stage  the checked rows COPYed into a temp table; repeated item      (stage/)
 *          numbers rejected but the last
 *   merge  new and changed products found by fingerprint, then names,    (merge/)
 *          history, updates and inserts, set-wise
 *   report the run's counts, timings, rejected rows and a dry run's      (runs/, report/)
 *          sample; the `dbu.catalogue.imported` event; the audit row
 */
@Injectable()
export class CatalogueImporter implements KindImporter, OnModuleInit {
  constructor(
    private readonly runs: ImportRunRepository,
    private readonly media: MediaStore,
    private readonly stage: CatalogueStageRepository,
    private readonly merge: CatalogueMergeRepository,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(IMPORT_OPTIONS) private readonly options: Pick<ImportOptions, 'signalEnabled'>,
    private readonly registry: ImporterRegistry,
    private readonly reviews: ImportReviewRepository,
    private readonly audit: AuditWriter,
    @Optional() @Inject(IMPORT_HOOKS) private readonly hooks?: ImportHooks,
  ) {}

  onModuleInit(): void {
    this.registry.register('catalogue', this);
  }

  /** Runs the import on `qr` (a connected query runner the caller owns). */
  async run(qr: QueryRunner, run: ImportRunRow, listener?: ProgressListener): Promise<ImportOutcome> {
    const job = await this.openFile(qr, run, listener);
    const client = (await qr.connect()) as PoolClient;
    await qr.startTransaction();
    try {
      await tuneForBulkStatements(qr);
      const mapping = await this.mapColumns(job);
      const staged = await this.stageRows(job, client, mapping);
      const comparison = await this.compareWithCatalogue(job, staged);
      if (run.dry_run || this.rejectsAll(job, comparison))
        return await this.finishWithoutChanges(job, staged, comparison);
      const historyRows = await this.mergeIntoCatalogue(job, staged, comparison);
      return await this.finishAndAnnounce(job, comparison, historyRows);
    } catch (err) {
      await job.progress.stop();
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      job.source.rows.destroy();
    }
  }

  /** read: the stored upload as a stream of row batches, with progress reported from now on. */
  private async openFile(qr: QueryRunner, run: ImportRunRow, listener?: ProgressListener): Promise<CatalogueRun> {
    if (!(await this.media.uploadExists(run.file_sha256))) {
      throw new ImportFileError('the uploaded file is no longer stored (cleaned up); upload it again');
    }
    const path = this.media.uploadPath(run.file_sha256);
    const sourceSettings: RowSourceSettings = {
      delimiter: run.settings.delimiter,
      encoding: run.settings.encoding,
      sheetName: run.settings.sheet_name,
      decimalSeparator: run.settings.decimal_separator,
      tmpDir: this.media.tmpDir,
    };
    const source = await openRowSource(path, sourceSettings);
    const progress = new ImportProgress(
      this.runs,
      run.id,
      () => ({ read: source.bytesRead(), total: source.bytesTotal }),
      this.logger,
      listener,
    );
    const started = Date.now();
    progress.start();
    const batches = source.rows[Symbol.asyncIterator]() as AsyncIterator<SourceRow[]>;
    return { run, qr, path, sourceSettings, source, batches, progress, started, timings: new StepTimer() };
  }

  /** map: which column feeds which field (recorded on the run); a file without a required one fails. */
  private async mapColumns(
    job: CatalogueRun,
  ): Promise<ColumnMapping<CatalogueField> & { header: string[]; rest: SourceRow[] }> {
    const { header, rest } = await readHeader(job.batches);
    const mapping = mapColumns(
      header,
      CATALOGUE_HEADER_VARIANTS,
      REQUIRED_CATALOGUE_FIELDS,
      job.run.settings.column_map as Record<string, CatalogueField | null>,
    );
    await this.runs.saveMapping(job.run.id, {
      header,
      columns: mapping.columns,
      unmapped: mapping.unmapped,
      source: job.source.description,
    });
    if (mapping.missingRequired.length) {
      throw new ImportFileError(
        `required column missing: ${mapping.missingRequired
          .map((f) => `${f} (e.g. "${CATALOGUE_HEADER_VARIANTS[f][0]}" or "${CATALOGUE_HEADER_VARIANTS[f].at(-1)}")`)
          .join(', ')}; the header has: ${header.join(', ')}`,
      );
    }
    return { ...mapping, header, rest };
  }

  /** stage: every row checked and COPYed into the staging table as it is read (backpressure end to end). */
  private async stageRows(
    job: CatalogueRun,
    client: PoolClient,
    mapping: ColumnMapping<CatalogueField> & { header: string[]; rest: SourceRow[] },
  ): Promise<StagedFile> {
    const format = job.source.description.format;
    const encoder = new CatalogueRowEncoder(mapping.header.length, mapping, {
      decimalSeparator: job.run.settings.decimal_separator,
      dateFormat: job.run.settings.date_format,
      excelSerialDates: format === 'xlsx',
      shortRowsAllowed: format === 'xlsx',
    });
    await this.stage.createStage(job.qr);
    await copyRows(
      job.batches,
      mapping.rest,
      (row) => encoder.encode(row),
      this.stage.copyIn(client),
      () => job.progress.setRows(encoder.valid + encoder.invalid + encoder.blank),
    );
    const parseMs = Date.now() - job.started;
    if (encoder.valid + encoder.invalid >= BULK_ROWS) {
      // The planner knows nothing of the staging table's size: for a big file every join is a
      // bulk join, which index nested loops (a million lookups) and sort-merges only slow down.
      await job.qr.query(`SET LOCAL enable_nestloop = off`);
      await job.qr.query(`SET LOCAL enable_mergejoin = off`);
    }
    job.progress.setPhase('merging');
    await this.hook('staged', job.run.id);
    return {
      encoder,
      plan: new MergePlan(mapping.columns.map((c) => c.field)),
      itemNoHeader: mapping.columns.find((c) => c.field === 'item_no')!.header,
      parseMs,
    };
  }

  /**
   * stage → merge: rows whose item number comes again later are rejected (the last one wins),
   * the rejected rows are recorded on the run, the catalogue is locked against other merges and
   * the rows are compared with it: new, changed, unchanged.
   */
  private async compareWithCatalogue(job: CatalogueRun, staged: StagedFile): Promise<Comparison> {
    const { encoder } = staged;
    const mergeStarted = Date.now();
    job.timings.record('parse_and_copy', staged.parseMs);
    const duplicates = await this.rejectRepeatedItems(job, staged);
    job.timings.lap('duplicates');
    await this.runs.saveRejectedFromStage(job.qr, 'import_stage', job.run.id);
    job.timings.lap('rejected_rows');
    await lockCatalogueForMerge(job.qr);
    job.timings.lap('lock_wait');
    const delta = await this.merge.computeDelta(job.qr, staged.plan);
    job.timings.lap('delta');
    const invalid = encoder.invalid + duplicates;
    const valid = encoder.valid - duplicates;
    return {
      delta,
      counts: { new: delta.new, changed: delta.changed, unchanged: valid - delta.new - delta.changed, invalid },
      duplicates,
      totals: {
        blank: encoder.blank,
        rowsTotal: encoder.valid + encoder.invalid + encoder.blank,
        parseMs: staged.parseMs,
      },
      mergeStarted,
    };
  }

  /** Rejects valid rows whose item number a later row of the file carries too; answers how many. */
  private async rejectRepeatedItems(job: CatalogueRun, staged: StagedFile): Promise<number> {
    const superseded = await this.stage.supersededRows(job.qr, staged.encoder.seen.suspects);
    if (superseded.length === 0) return 0;
    const cells = await collectRows(job.path, job.sourceSettings, new Set(superseded.map((r) => r.row_no)));
    await this.stage.rejectRows(
      job.qr,
      superseded.map((r) => ({
        row_no: r.row_no,
        errors: JSON.stringify([
          {
            column: staged.itemNoHeader,
            value: r.item_no,
            reason: `the item number appears again in row ${r.winner}, which is used`,
          },
        ]),
        raw: JSON.stringify(cells.get(r.row_no) ?? []),
      })),
    );
    return superseded.length;
  }

  /** With the error policy reject-all, one invalid row leaves the catalogue untouched. */
  private rejectsAll(job: CatalogueRun, comparison: Comparison): boolean {
    return job.run.error_policy === 'reject-all' && comparison.counts.invalid > 0;
  }

  /** report (dry run, or rejected): the counts and a sample of the changes; nothing merged. */
  private async finishWithoutChanges(job: CatalogueRun, staged: StagedFile, c: Comparison): Promise<ImportOutcome> {
    const sample = await this.merge.sample(job.qr, staged.plan);
    const rejected = this.rejectsAll(job, c);
    const status = rejected ? 'rejected' : 'succeeded';
    // A dry run keeps its diff, so `POST /api/imports/{id}/apply/` applies exactly what was reviewed.
    if (job.run.dry_run && !rejected) {
      await this.reviews.save(
        job.qr,
        job.run.id,
        staged.plan.fields.map((f) => f.field),
      );
    }
    // The progress writer must be done before this transaction locks the run's row.
    await job.progress.stop();
    await this.runs.finish(job.qr, job.run.id, {
      status,
      counts: c.counts,
      ...c.totals,
      rowsPerSecond: rowsPerSecond(c.totals.rowsTotal, job.started),
      mergeMs: Date.now() - c.mergeStarted,
      diff: { ...c.counts, ...sample },
      details: { timings_ms: job.timings.lap('sample') },
      error: rejected
        ? `${c.counts.invalid} invalid row(s): with the error policy reject-all the catalogue was left untouched`
        : null,
    });
    await job.qr.commitTransaction();
    return { status, dryRun: job.run.dry_run, counts: c.counts };
  }

  /**
   * merge: the names and categories the rows need, the history of each changed field, the
   * updates, the inserts; each step only when the delta has rows for it (an unchanged re-import
   * writes nothing). Answers the number of history rows written.
   */
  private async mergeIntoCatalogue(job: CatalogueRun, staged: StagedFile, c: Comparison): Promise<number> {
    const { qr, run, timings } = job;
    const { delta, counts } = c;
    if (delta.new + delta.changed > 0) await this.merge.ensureLookups(qr, staged.plan);
    timings.lap('lookups');
    await this.hook('lookups', run.id);
    const historyRows =
      delta.changed > 0 ? await this.merge.writeHistory(qr, staged.plan, run.id, run.requested_by) : 0;
    timings.lap('history');
    await this.hook('history', run.id);
    if (delta.candidates > 0) await this.merge.updateChanged(qr, staged.plan, run.id);
    timings.lap('update');
    await this.hook('updated', run.id);
    const inserted = delta.new > 0 ? await this.merge.insertNew(qr, staged.plan, run.id) : 0;
    timings.lap('insert');
    await this.hook('inserted', run.id);
    if (inserted !== counts.new) {
      // Created through the API while the import ran: those rows were left to the API's version.
      this.logger.warn('some new items were created concurrently and left as they are', {
        import_id: run.id,
        skipped: counts.new - inserted,
      });
      counts.unchanged += counts.new - inserted;
      counts.new = inserted;
    }
    return historyRows;
  }

  /** report: the run's final state and the `dbu.catalogue.imported` event, committed with the merge. */
  private async finishAndAnnounce(job: CatalogueRun, c: Comparison, historyRows: number): Promise<ImportOutcome> {
    const { qr, run, timings } = job;
    const { counts, delta } = c;
    const changedItemNos = delta.new + delta.changed > 0 ? await this.merge.changedItemNos(qr, INLINE_ITEMS) : [];
    await job.progress.stop();
    await this.runs.finish(qr, run.id, {
      status: 'succeeded',
      counts,
      ...c.totals,
      rowsPerSecond: rowsPerSecond(c.totals.rowsTotal, job.started),
      mergeMs: Date.now() - c.mergeStarted,
      details: { history_rows: historyRows, duplicate_rows: c.duplicates, timings_ms: timings.lap('finish') },
      signalStatus: this.options.signalEnabled ? 'pending' : null,
    });
    const data: CatalogueImported = {
      import_id: run.id,
      status: 'succeeded',
      counts,
      changed_items_url: `/api/products/?changed_in_import=${run.id}`,
      ...(changedItemNos ? { changed_item_nos: changedItemNos } : {}),
    };
    const event = await enqueueEvent(qr.manager, EventTypes.catalogueImported, data);
    await this.audit.record(importAppliedEntry(run, counts, { history_rows: historyRows }), qr.manager);
    await qr.commitTransaction();
    return { status: 'succeeded', dryRun: false, counts, eventId: event.id };
  }

  private async hook(step: MergeStep, importId: string): Promise<void> {
    if (this.hooks?.afterStep) await this.hooks.afterStep(step, importId);
  }
}

/** Bulk statements over fresh temp tables (no statistics): room to hash, and no JIT compilation. */
async function tuneForBulkStatements(qr: QueryRunner): Promise<void> {
  await qr.query(`SET LOCAL work_mem = '256MB'`);
  await qr.query(`SET LOCAL jit = off`);
}
