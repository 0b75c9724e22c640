import { randomUUID } from 'node:crypto';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import { EventTypes, type CatalogueImported } from '@pjs/contracts';
import type { EntityManager } from '@pjs/database';
import { NotFoundApiException, type Principal } from '@pjs/http';
import { enqueueEvent } from '@pjs/messaging';
import type { ImportFieldName } from '../../catalogue/product-fields';
import { lockCatalogueForMerge } from '../merge/catalogue-lock';
import { CatalogueMergeRepository } from '../merge/catalogue-merge.repository';
import { MergePlan } from '../merge/merge-sql';
import { importRunView } from '../report/import-view';
import { rowsPerSecond } from '../report/step-timer';
import { ImportRunRepository } from '../runs/import-run.repository';
import type { ImportRunRow } from '../runs/import-run.types';
import { IMPORT_OPTIONS, type ImportOptions } from '../runs/import.options';
import { CatalogueStageRepository } from '../stage/catalogue-stage.repository';
import { ImportReviewRepository } from './import-review.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Item numbers named in the 409 of a stale review (the count says how many there are). */
const NAMED_ITEMS = 20;
/** Items listed in the event itself; beyond, consumers page `changed_items_url`. */
const INLINE_ITEMS = 1000;

/** A 409 with the fields a client acts on besides code and message. */
class ApplyConflictException extends HttpException {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super({ statusCode: 409, code, message, ...extra }, 409);
  }
}

/**
 * `POST /api/imports/{id}/apply/`: applies exactly the diff a catalogue dry run showed (its rows
 * as they were staged, kept by the dry run in `import_review_rows`), in the caller's transaction,
 * as a new run of source `apply`. Refused with 409 when any product of the diff changed (or a new
 * one was created) since the dry run, naming them; when the dry run was applied already; or when
 * the run is no successful catalogue dry run. Serialised with imports by the catalogue merge lock.
 */
@Injectable()
export class ReviewedApplyService {
  constructor(
    private readonly runs: ImportRunRepository,
    private readonly reviews: ImportReviewRepository,
    private readonly stage: CatalogueStageRepository,
    private readonly merge: CatalogueMergeRepository,
    @Inject(IMPORT_OPTIONS) private readonly options: Pick<ImportOptions, 'signalEnabled'>,
  ) {}

  async apply(id: string, principal: Principal, tx: EntityManager) {
    const started = Date.now();
    const reviewed = UUID.test(id) ? await this.runs.get(id, tx) : undefined;
    if (!reviewed) throw new NotFoundApiException(`import ${JSON.stringify(id)}`);
    if (reviewed.kind !== 'catalogue' || !reviewed.dry_run || reviewed.status !== 'succeeded') {
      throw new ApplyConflictException(
        'import_not_reviewable',
        `import ${id} is no finished catalogue dry run (kind ${reviewed.kind}, dry_run ${reviewed.dry_run}, ` +
          `status ${reviewed.status}); only a succeeded catalogue dry run can be applied`,
      );
    }
    await lockCatalogueForMerge(tx);
    const review = await this.reviews.lock(tx, id);
    if (!review) {
      throw new ApplyConflictException(
        'import_not_reviewable',
        `import ${id} kept no diff to apply (it ran before dry runs were kept); upload the file again`,
      );
    }
    if (review.applied_import_id) {
      throw new ApplyConflictException(
        'import_already_applied',
        `import ${id} was applied already by import ${review.applied_import_id}`,
        { applied_import_id: review.applied_import_id, url: `/api/imports/${review.applied_import_id}/` },
      );
    }
    const stale = await this.reviews.changedSince(tx, id, NAMED_ITEMS);
    if (stale.count > 0) {
      const more = stale.count > stale.items.length ? ` and ${stale.count - stale.items.length} more` : '';
      throw new ApplyConflictException(
        'import_diff_stale',
        `${stale.count} product(s) of the reviewed diff changed since the dry run of import ${id}: ` +
          `${stale.items.join(', ')}${more}; run a new dry run and review it`,
        { changed_count: stale.count, changed_items: stale.items },
      );
    }
    const run = await this.createRun(tx, reviewed, principal);
    await this.runs.startInline(tx, run);
    await this.stage.createStage(tx);
    const rows = await this.reviews.restage(tx, id);
    const plan = new MergePlan(review.fields as ImportFieldName[]);
    const delta = await this.merge.computeDelta(tx, plan);
    if (delta.new + delta.changed > 0) await this.merge.ensureLookups(tx, plan);
    const historyRows = delta.changed > 0 ? await this.merge.writeHistory(tx, plan, run, principal.username) : 0;
    if (delta.candidates > 0) await this.merge.updateChanged(tx, plan, run);
    const inserted = delta.new > 0 ? await this.merge.insertNew(tx, plan, run) : 0;
    const counts = { new: inserted, changed: delta.changed, unchanged: rows - inserted - delta.changed, invalid: 0 };
    const changedItemNos = inserted + delta.changed > 0 ? await this.merge.changedItemNos(tx, INLINE_ITEMS) : [];
    await this.runs.finish(tx, run, {
      status: 'succeeded',
      counts,
      blank: 0,
      rowsTotal: rows,
      rowsPerSecond: rowsPerSecond(rows, started),
      parseMs: 0,
      mergeMs: Date.now() - started,
      details: { reviewed_import_id: id, history_rows: historyRows },
      signalStatus: this.options.signalEnabled ? 'pending' : null,
    });
    const data: CatalogueImported = {
      import_id: run,
      status: 'succeeded',
      counts,
      changed_items_url: `/api/products/?changed_in_import=${run}`,
      ...(changedItemNos ? { changed_item_nos: changedItemNos } : {}),
    };
    await enqueueEvent(tx, EventTypes.catalogueImported, data);
    await this.reviews.markApplied(tx, id, run);
    await this.runs.addDetails(tx, id, { applied_import_id: run });
    return importRunView((await this.runs.get(run, tx))!);
  }

  /** The apply's own run, with the dry run's file and settings; 409 when that file is imported already. */
  private async createRun(tx: EntityManager, reviewed: ImportRunRow, principal: Principal): Promise<string> {
    const id = randomUUID();
    const created = await this.runs.create(
      {
        id,
        kind: 'catalogue',
        dryRun: false,
        force: reviewed.force,
        errorPolicy: reviewed.error_policy,
        source: 'apply',
        requestedBy: principal.username,
        profileId: reviewed.profile_id,
        settings: reviewed.settings,
        file: {
          sha256: reviewed.file_sha256,
          size: Number(reviewed.file_size),
          format: reviewed.file_format,
          path: '',
          originalName: reviewed.file_name,
          created: false,
        },
      },
      tx,
    );
    if (!created) {
      const existing = await this.runs.findDuplicate('catalogue', reviewed.file_sha256);
      throw new ApplyConflictException(
        'duplicate_import',
        `this file was already imported (import ${existing?.id ?? 'unknown'}); upload it again with force=true ` +
          `and dry_run=true to review it against the catalogue as it is now`,
        { import_id: existing?.id ?? null },
      );
    }
    return id;
  }
}
