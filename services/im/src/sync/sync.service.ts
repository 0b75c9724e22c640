import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@pjs/logger';
import { DbuClient } from '../dbu-client/dbu-client';
import type { DbuProduct } from '../dbu-client/dbu-product';
import { ItemDetailsRepository } from '../item-details/item-details.repository';
import { syncMetrics, type SyncKind } from './sync.metrics';
import { SYNC_OPTIONS, type SyncOptions } from './sync.tokens';

export interface SyncProgress {
  done: number;
  total: number;
}

export interface SyncResult {
  kind: SyncKind;
  /** Items looked up in DBU. */
  requested: number;
  /** Items whose details were written. */
  updated: number;
  /** Items DBU does not know (left without details). */
  notFound: number;
  /** DBU requests made for lookups. */
  requests: number;
}

export interface SyncRunOptions {
  onProgress?: (progress: SyncProgress) => void;
  batchSize?: number;
}

/** How many of our item numbers are intersected with an import's changes per query. */
const INTERSECT_CHUNK = 5000;

/**
 * Copies product details from DBU into item_details: `syncMissing` fills items that have none,
 * `syncAll` refreshes every item, `refreshItems` a given set, `refreshChanged` what a DBU import
 * changed. Always batched (≤ SYNC_BATCH_SIZE item numbers per DBU request), never one request per
 * item. Each batch is written in its own statement, so a run interrupted half-way keeps what it
 * did, and running it again only does what is left (writes are idempotent upserts).
 */
@Injectable()
export class SyncService {
  private readonly batchSizes = syncMetrics.batchSize();
  private readonly items = syncMetrics.items();
  private readonly runs = syncMetrics.runs();

  constructor(
    private readonly dbu: DbuClient,
    private readonly details: ItemDetailsRepository,
    @Inject(SYNC_OPTIONS) private readonly options: SyncOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private batchSize(override?: number): number {
    return Math.max(1, Math.min(override ?? this.options.batchSize, this.dbu.maxBatch));
  }

  /** sync-missing-details: every item without details, in keyset pages. */
  syncMissing(run: SyncRunOptions = {}): Promise<SyncResult> {
    return this.tracked('missing', run, async (progress) => {
      const size = this.batchSize(run.batchSize);
      const result = emptyResult('missing');
      progress.total = await this.details.countMissing();
      let after: string | null = null;
      for (;;) {
        const batch = await this.details.missingItemNos(after, size);
        if (batch.length === 0) break;
        after = batch[batch.length - 1]!;
        await this.syncBatch(batch, result);
        progress.advance(batch.length);
      }
      return result;
    });
  }

  /** Refreshes the details of every item (scope `all` of a signal). */
  syncAll(run: SyncRunOptions = {}): Promise<SyncResult> {
    return this.tracked('all', run, async (progress) => {
      const size = this.batchSize(run.batchSize);
      const result = emptyResult('all');
      progress.total = await this.details.countItems();
      let after: string | null = null;
      for (;;) {
        const batch = await this.details.allItemNos(after, size);
        if (batch.length === 0) break;
        after = batch[batch.length - 1]!;
        await this.syncBatch(batch, result);
        progress.advance(batch.length);
      }
      return result;
    });
  }

  /** Refreshes the given item numbers that are items of ours (others are ignored). */
  refreshItems(itemNos: readonly string[], run: SyncRunOptions = {}): Promise<SyncResult> {
    return this.tracked('items', run, (progress) => this.refreshOurs('items', itemNos, progress, run.batchSize));
  }

  /**
   * After a DBU import: refreshes exactly the changed items we hold. With `changedItemNos` the
   * intersection is looked up in batches; otherwise the changed products are paged from
   * `changedItemsUrl` and the ones we hold are written straight from those pages.
   */
  refreshChanged(
    change: { changedItemNos?: readonly string[]; changedItemsUrl?: string },
    run: SyncRunOptions = {},
  ): Promise<SyncResult> {
    return this.tracked('changed', run, async (progress) => {
      if (change.changedItemNos) {
        return this.refreshOurs('changed', change.changedItemNos, progress, run.batchSize);
      }
      const result = emptyResult('changed');
      if (!change.changedItemsUrl) return result;
      for await (const page of this.dbu.changedProducts(change.changedItemsUrl)) {
        result.requests += 1;
        const ours = new Set(await this.details.existingItemNos(page.map((p) => p.item_no)));
        const mine = page.filter((p) => ours.has(p.item_no));
        progress.total += mine.length;
        if (mine.length > 0) {
          this.batchSizes.observe(mine.length);
          result.requested += mine.length;
          await this.write(mine, result);
        }
        progress.advance(mine.length);
      }
      return result;
    });
  }

  private async refreshOurs(
    kind: SyncKind,
    itemNos: readonly string[],
    progress: ProgressTracker,
    batchSize?: number,
  ): Promise<SyncResult> {
    const size = this.batchSize(batchSize);
    const result = emptyResult(kind);
    const unique = [...new Set(itemNos)];
    const ours: string[] = [];
    for (let i = 0; i < unique.length; i += INTERSECT_CHUNK) {
      ours.push(...(await this.details.existingItemNos(unique.slice(i, i + INTERSECT_CHUNK))));
    }
    progress.total = ours.length;
    for (let i = 0; i < ours.length; i += size) {
      const batch = ours.slice(i, i + size);
      await this.syncBatch(batch, result);
      progress.advance(batch.length);
    }
    return result;
  }

  /** One DBU lookup for a batch of item numbers, then one upsert of what DBU knows. */
  private async syncBatch(batch: readonly string[], result: SyncResult): Promise<void> {
    this.batchSizes.observe(batch.length);
    result.requested += batch.length;
    result.requests += this.dbu.lookupChunks(batch).length;
    const found = await this.dbu.lookup(batch);
    const notFound = batch.length - found.size;
    if (notFound > 0) {
      result.notFound += notFound;
      this.items.inc({ result: 'not_found' }, notFound);
    }
    await this.write([...found.values()], result);
  }

  private async write(products: DbuProduct[], result: SyncResult): Promise<void> {
    const written = await this.details.upsert(products);
    result.updated += written;
    if (written > 0) this.items.inc({ result: 'updated' }, written);
  }

  /** Runs one sync with progress gauges, run counters, logging and a lag refresh at the end. */
  private async tracked(
    kind: SyncKind,
    run: SyncRunOptions,
    work: (progress: ProgressTracker) => Promise<SyncResult>,
  ): Promise<SyncResult> {
    const progress = new ProgressTracker(kind, run.onProgress);
    const started = Date.now();
    try {
      const result = await work(progress);
      this.runs.inc({ kind, outcome: 'ok' });
      syncMetrics.lastSuccess().set(Date.now() / 1000);
      this.logger.info('sync finished', { ...result, duration_ms: Date.now() - started });
      return result;
    } catch (err) {
      this.runs.inc({ kind, outcome: 'failed' });
      this.logger.warn('sync failed', { kind, done: progress.done, total: progress.total, err });
      throw err;
    } finally {
      await this.refreshLag().catch(() => undefined);
    }
  }

  /** Updates im_sync_lag_seconds and im_sync_missing_items from the database. */
  async refreshLag(): Promise<void> {
    const { missing, oldestSeconds } = await this.details.lag();
    syncMetrics.missing().set(missing);
    syncMetrics.lag().set(oldestSeconds);
  }
}

/** Progress of one run, mirrored into gauges and the caller's callback (the CLI's bar). */
class ProgressTracker {
  done = 0;
  private totalItems = 0;
  private readonly totalGauge = syncMetrics.runTotal();
  private readonly doneGauge = syncMetrics.runDone();

  constructor(
    private readonly kind: SyncKind,
    private readonly onProgress?: (progress: SyncProgress) => void,
  ) {
    this.totalGauge.set({ kind }, 0);
    this.doneGauge.set({ kind }, 0);
  }

  get total(): number {
    return this.totalItems;
  }

  set total(value: number) {
    this.totalItems = value;
    this.totalGauge.set({ kind: this.kind }, value);
    this.onProgress?.({ done: this.done, total: value });
  }

  advance(count: number): void {
    this.done += count;
    this.doneGauge.set({ kind: this.kind }, this.done);
    this.onProgress?.({ done: this.done, total: Math.max(this.totalItems, this.done) });
  }
}

function emptyResult(kind: SyncKind): SyncResult {
  return { kind, requested: 0, updated: 0, notFound: 0, requests: 0 };
}
