import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { EventTypes, type CatalogueImported } from '@pjs/contracts';
import type { Logger } from '@pjs/logger';
import { enqueueEvent } from '@pjs/messaging';
import {
  CATALOGUE_HEADER_VARIANTS,
  REQUIRED_CATALOGUE_FIELDS,
  mapColumns,
  type CatalogueField,
} from '../import-profiles/column-mapping';
import { CatalogueRowEncoder } from './catalogue-row.encoder';
import { CatalogueStageRepository, lockCatalogueForMerge } from './catalogue-stage.repository';
import { ImportProgress, type ProgressListener } from './import-progress';
import type { ImportRunRepository } from './import-run.repository';
import type { ImportCounts, ImportRunRow } from './import-run.types';
import { ImportFileError } from './import.errors';
import type { MediaStore } from './media-store';
import { collectRows, openRowSource, type RowSourceSettings, type SourceRow } from './row-source';

/** Steps of the merge, after which tests may interfere (e.g. kill the worker mid-way). */
export type MergeStep = 'staged' | 'lookups' | 'history' | 'updated' | 'inserted';

export interface ImportHooks {
  afterStep?: (step: MergeStep, importId: string) => Promise<void>;
}

export interface ImportOutcome {
  status: 'succeeded' | 'rejected';
  dryRun: boolean;
  counts: ImportCounts;
  /** Id of the `dbu.catalogue.imported` event written to the outbox (committed imports only). */
  eventId?: string;
}

export interface CatalogueImporterOptions {
  /** SIGNAL_URL is set: the run's signal starts as pending. */
  signalEnabled: boolean;
  hooks?: ImportHooks;
}

/** Items listed in the event itself; beyond, consumers page `changed_items_url`. */
const INLINE_ITEMS = 1000;
/** From this many staged rows on, the merge uses hash joins only. */
const BULK_ROWS = 20_000;

/**
 * The catalogue pipeline: stream-parse the stored file, validate each row, COPY it into a
 * staging table and merge set-wise into `products`, all in one transaction with the run's final
 * state and the outbox event. A worker that dies mid-way leaves nothing behind.
 */
export class CatalogueImporter {
  constructor(
    private readonly runs: ImportRunRepository,
    private readonly media: MediaStore,
    private readonly logger: Logger,
    private readonly options: CatalogueImporterOptions,
  ) {}

  /** Runs the import on `qr` (a connected query runner the caller owns). */
  async run(qr: QueryRunner, run: ImportRunRow, listener?: ProgressListener): Promise<ImportOutcome> {
    const path = this.media.uploadPath(run.file_sha256);
    if (!(await this.media.uploadExists(run.file_sha256))) {
      throw new ImportFileError('the uploaded file is no longer stored (cleaned up); upload it again');
    }
    const settings = run.settings;
    const sourceSettings: RowSourceSettings = {
      delimiter: settings.delimiter,
      encoding: settings.encoding,
      sheetName: settings.sheet_name,
      decimalSeparator: settings.decimal_separator,
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
    const client = (await qr.connect()) as PoolClient;
    await qr.startTransaction();
    try {
      // Bulk statements over fresh temp tables (no statistics): JIT compilation only costs here.
      await qr.query(`SET LOCAL work_mem = '256MB'`);
      await qr.query(`SET LOCAL jit = off`);
      const batches = source.rows[Symbol.asyncIterator]() as AsyncIterator<SourceRow[]>;
      const { header, rest } = await readHeader(batches);
      const mapping = mapColumns(
        header,
        CATALOGUE_HEADER_VARIANTS,
        REQUIRED_CATALOGUE_FIELDS,
        asFieldMap(settings.column_map),
      );
      await this.runs.saveMapping(run.id, {
        header,
        columns: mapping.columns,
        unmapped: mapping.unmapped,
        source: source.description,
      });
      if (mapping.missingRequired.length) {
        throw new ImportFileError(
          `required column missing: ${mapping.missingRequired
            .map((f) => `${f} (e.g. "${CATALOGUE_HEADER_VARIANTS[f][0]}" or "${CATALOGUE_HEADER_VARIANTS[f].at(-1)}")`)
            .join(', ')}; the header has: ${header.join(', ')}`,
        );
      }
      const itemNoHeader = mapping.columns.find((c) => c.field === 'item_no')!.header;
      const encoder = new CatalogueRowEncoder(header.length, mapping, {
        decimalSeparator: settings.decimal_separator,
        dateFormat: settings.date_format,
        excelSerialDates: source.description.format === 'xlsx',
        shortRowsAllowed: source.description.format === 'xlsx',
      });
      const stage = new CatalogueStageRepository(mapping.columns.map((c) => c.field));
      await stage.createStage(qr);

      await copyRows(
        batches,
        rest,
        (row) => encoder.encode(row),
        stage.copyIn(client),
        () => progress.setRows(encoder.valid + encoder.invalid + encoder.blank),
      );
      const parseMs = Date.now() - started;
      if (encoder.valid + encoder.invalid >= BULK_ROWS) {
        // The planner knows nothing of the staging table's size: for a big file every join is a
        // bulk join, which index nested loops (a million lookups) and sort-merges only slow down.
        await qr.query(`SET LOCAL enable_nestloop = off`);
        await qr.query(`SET LOCAL enable_mergejoin = off`);
      }
      progress.setPhase('merging');
      await this.hook('staged', run.id);

      const mergeStarted = Date.now();
      const timings = new StepTimer({ parse_and_copy: parseMs });
      const superseded = await stage.supersededRows(qr, encoder.seen.suspects);
      timings.lap('duplicates');
      if (superseded.length) {
        const cells = await collectRows(path, sourceSettings, new Set(superseded.map((r) => r.row_no)));
        await stage.rejectRows(
          qr,
          superseded.map((r) => ({
            row_no: r.row_no,
            errors: JSON.stringify([
              {
                column: itemNoHeader,
                value: r.item_no,
                reason: `the item number appears again in row ${r.winner}, which is used`,
              },
            ]),
            raw: JSON.stringify(cells.get(r.row_no) ?? []),
          })),
        );
      }
      const invalid = encoder.invalid + superseded.length;
      const valid = encoder.valid - superseded.length;
      await this.runs.saveRejectedFromStage(qr, 'import_stage', run.id);
      timings.lap('rejected_rows');
      await lockCatalogueForMerge(qr);
      timings.lap('lock_wait');
      const delta = await stage.computeDelta(qr);
      timings.lap('delta');
      const counts: ImportCounts = {
        new: delta.new,
        changed: delta.changed,
        unchanged: valid - delta.new - delta.changed,
        invalid,
      };
      const totals = {
        blank: encoder.blank,
        rowsTotal: encoder.valid + encoder.invalid + encoder.blank,
        parseMs,
      };
      const rejectAll = run.error_policy === 'reject-all' && invalid > 0;

      if (run.dry_run || rejectAll) {
        const sample = await stage.sample(qr);
        const status = rejectAll ? 'rejected' : 'succeeded';
        // The progress writer must be done before this transaction locks the run's row.
        await progress.stop();
        await this.runs.finish(qr, run.id, {
          status,
          counts,
          ...totals,
          rowsPerSecond: rate(totals.rowsTotal, started),
          mergeMs: Date.now() - mergeStarted,
          diff: { ...counts, ...sample },
          details: { timings_ms: timings.lap('sample') },
          error: rejectAll
            ? `${invalid} invalid row(s): with the error policy reject-all the catalogue was left untouched`
            : null,
        });
        await qr.commitTransaction();
        return { status, dryRun: run.dry_run, counts };
      }

      // Each step only when the delta has rows for it (an unchanged re-import writes nothing).
      if (delta.new + delta.changed > 0) await stage.ensureLookups(qr);
      timings.lap('lookups');
      await this.hook('lookups', run.id);
      const historyRows = delta.changed > 0 ? await stage.writeHistory(qr, run.id, run.requested_by) : 0;
      timings.lap('history');
      await this.hook('history', run.id);
      if (delta.candidates > 0) await stage.updateChanged(qr, run.id);
      timings.lap('update');
      await this.hook('updated', run.id);
      const inserted = delta.new > 0 ? await stage.insertNew(qr, run.id) : 0;
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
      const changedItemNos = delta.new + delta.changed > 0 ? await stage.changedItemNos(qr, INLINE_ITEMS) : [];
      await progress.stop();
      await this.runs.finish(qr, run.id, {
        status: 'succeeded',
        counts,
        ...totals,
        rowsPerSecond: rate(totals.rowsTotal, started),
        mergeMs: Date.now() - mergeStarted,
        details: { history_rows: historyRows, duplicate_rows: superseded.length, timings_ms: timings.lap('finish') },
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
      await qr.commitTransaction();
      return { status: 'succeeded', dryRun: false, counts, eventId: event.id };
    } catch (err) {
      await progress.stop();
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      source.rows.destroy();
    }
  }

  private async hook(step: MergeStep, importId: string): Promise<void> {
    if (this.options.hooks?.afterStep) await this.options.hooks.afterStep(step, importId);
  }
}

/**
 * Parse → encode → COPY with backpressure end to end: `encode` turns a row into COPY text ('' to
 * skip it); `afterBatch` reports progress.
 */
export async function copyRows(
  batches: AsyncIterator<SourceRow[]>,
  first: SourceRow[],
  encode: (row: SourceRow) => string,
  copy: Writable,
  afterBatch: () => void,
): Promise<void> {
  async function* encoded(): AsyncGenerator<Buffer> {
    let batch: SourceRow[] | undefined = first;
    for (;;) {
      if (batch && batch.length) {
        let text = '';
        for (const row of batch) text += encode(row);
        afterBatch();
        if (text) yield Buffer.from(text, 'utf8');
      }
      const next = await batches.next();
      if (next.done) return;
      batch = next.value;
    }
  }
  await pipeline(Readable.from(encoded(), { highWaterMark: 1 }), copy);
}

/** The first non-blank row is the header; answers it and the rows after it in its batch. */
export async function readHeader(
  batches: AsyncIterator<SourceRow[]>,
): Promise<{ header: string[]; rest: SourceRow[] }> {
  for (;;) {
    const next = await batches.next();
    if (next.done) throw new ImportFileError('the file has no header row');
    const index = next.value.findIndex((r) => r.fields.some((f) => f.trim() !== ''));
    if (index >= 0) {
      return { header: next.value[index].fields.map((f) => f.trim()), rest: next.value.slice(index + 1) };
    }
  }
}

function asFieldMap(map: Record<string, string | null>): Record<string, CatalogueField | null> {
  return map as Record<string, CatalogueField | null>;
}

/** Milliseconds per merge step, recorded on the run (which step took the time is part of explaining it). */
class StepTimer {
  private last = Date.now();
  constructor(private readonly laps: Record<string, number> = {}) {}

  lap(step: string): Record<string, number> {
    const now = Date.now();
    this.laps[step] = now - this.last;
    this.last = now;
    return this.laps;
  }
}

function rate(rows: number, started: number): number {
  const seconds = (Date.now() - started) / 1000;
  return seconds > 0 ? rows / seconds : rows;
}
