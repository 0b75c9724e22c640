import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { DbuClient } from '../dbu-client/dbu-client';
import type { DbuProduct } from '../dbu-client/dbu-product';
import { ItemDetailsRepository } from '../item-details/item-details.repository';
import { FeedCursorRepository } from './feed-cursor.repository';
import { syncMetrics } from './sync.metrics';
import { SyncService } from './sync.service';
import { SYNC_OPTIONS, type SyncOptions } from './sync.tokens';

/** Session advisory lock key: one reconciler (or resync) at a time across im-workers and the CLI. */
export const RECONCILE_LOCK_KEY = 'im.dbu-feed.reconcile';

export interface ReconcileResult {
  outcome: 'ok' | 'busy';
  /** Changes read from the feed. */
  changes: number;
  /** Items of ours whose details were written. */
  refreshed: number;
  /** Changes of products DBU deleted (IM keeps its last copy of their details). */
  deleted: number;
  /** A full copy ran (`resync-catalogue`, or DBU had expired our cursor). */
  copiedAll: boolean;
}

/**
 * Follows DBU's changes feed (`GET /api/products/changes/`) from the stored cursor and writes the
 * products of ours it names into item_details — the same upsert as the event-driven sync — so a
 * `dbu.catalogue.imported` event that was lost, purged or dead-lettered heals on the next run.
 * The cursor moves only after a page's details are written (a crash re-reads that page: upserts
 * are idempotent). The first run starts at the feed's head; after `resync-catalogue` or when DBU
 * has expired the cursor, every item is copied and the feed followed from the head taken before.
 */
@Injectable()
export class CatalogueReconciler {
  private readonly items = syncMetrics.reconcileItems();
  private readonly runs = syncMetrics.reconcileRuns();
  private stopping = false;

  constructor(
    private readonly db: DataSource,
    private readonly dbu: DbuClient,
    private readonly details: ItemDetailsRepository,
    private readonly cursors: FeedCursorRepository,
    private readonly sync: SyncService,
    @Inject(SYNC_OPTIONS) private readonly options: SyncOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Asks a running reconcile to stop after its current page (shutdown). */
  stop(): void {
    this.stopping = true;
  }

  /** One run, unless another holds the lock (then `busy` at once). */
  reconcile(): Promise<ReconcileResult> {
    return this.locked(false, () => this.follow());
  }

  /**
   * `pnpm im resync-catalogue` (after a DBU restore): waits for a running reconcile, forgets the
   * cursor and every item's details, copies them all again and continues from the feed's head.
   */
  resync(): Promise<ReconcileResult> {
    return this.locked(true, async () => {
      await this.db.transaction(async (tx) => {
        await this.cursors.reset(tx);
        await this.details.deleteAll(tx);
      });
      this.logger.info('catalogue resync: cursor and item details reset');
      return this.follow(true);
    });
  }

  /** The reconciler's lag gauge, from the database (before each scrape and after each run). */
  async refreshLag(): Promise<void> {
    syncMetrics.reconcileLag().set(await this.cursors.lagSeconds());
  }

  private async follow(fullCopy = false): Promise<ReconcileResult> {
    const result: ReconcileResult = { outcome: 'ok', changes: 0, refreshed: 0, deleted: 0, copiedAll: false };
    const limit = Math.min(this.options.batchSize, this.dbu.maxBatch);
    let { cursor } = await this.cursors.get();
    if (cursor === null) cursor = fullCopy ? await this.copyAll(result, 'resync') : await this.startAtHead();
    while (!this.stopping) {
      const page = await this.dbu.feed(cursor, limit);
      if (page === 'expired') {
        // A head that expires right after a copy would copy everything again and again: fail this
        // run instead; the next one starts from the saved head.
        if (result.copiedAll) throw new Error('DBU expired the head cursor handed out for the full copy');
        cursor = await this.copyAll(result, 'DBU expired our cursor');
        continue;
      }
      result.changes += page.changes.length;
      const latest = new Map<string, DbuProduct | null>();
      for (const change of page.changes) latest.set(change.item_no, change.product);
      const products = [...latest.values()].filter((p): p is DbuProduct => p !== null);
      const deleted = latest.size - products.length;
      result.deleted += deleted;
      if (deleted > 0) this.items.inc({ result: 'deleted' }, deleted);
      const written = await this.details.upsert(products);
      result.refreshed += written;
      if (written > 0) this.items.inc({ result: 'refreshed' }, written);
      await this.cursors.save(page.next, !page.hasMore);
      cursor = page.next;
      if (!page.hasMore) break;
    }
    return result;
  }

  /**
   * The first run of a new IM: follow the feed from its head. The details IM has come from the
   * events and sync-missing-details; `resync-catalogue` copies everything when that is wanted.
   */
  private async startAtHead(): Promise<string> {
    const first = await this.dbu.feed(undefined, 1);
    if (first === 'expired') throw new Error('DBU answered 410 to a read without cursor');
    await this.cursors.save(first.head, false);
    this.logger.info('catalogue reconcile: following the changes feed from its head');
    return first.head;
  }

  /** Copies every item's details; answers the head cursor taken before the copy. */
  private async copyAll(result: ReconcileResult, reason: string): Promise<string> {
    this.logger.info('catalogue reconcile: copying every item from DBU', { reason });
    const first = await this.dbu.feed(undefined, 1);
    if (first === 'expired') throw new Error('DBU answered 410 to a read without cursor');
    const copy = await this.sync.syncAll();
    result.copiedAll = true;
    result.refreshed += copy.updated;
    if (copy.updated > 0) this.items.inc({ result: 'refreshed' }, copy.updated);
    await this.cursors.save(first.head, false);
    return first.head;
  }

  private async locked(wait: boolean, work: () => Promise<ReconcileResult>): Promise<ReconcileResult> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    const started = Date.now();
    try {
      if (wait) {
        await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [RECONCILE_LOCK_KEY]);
      } else {
        const rows = (await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [
          RECONCILE_LOCK_KEY,
        ])) as {
          locked: boolean;
        }[];
        const row = rows[0];
        if (!row?.locked) {
          this.runs.inc({ outcome: 'busy' });
          this.logger.info('catalogue reconcile skipped: another one is running');
          return { outcome: 'busy', changes: 0, refreshed: 0, deleted: 0, copiedAll: false };
        }
      }
      try {
        const result = await work();
        this.runs.inc({ outcome: 'ok' });
        this.logger.info('catalogue reconcile finished', { ...result, duration_ms: Date.now() - started });
        return result;
      } catch (err) {
        this.runs.inc({ outcome: 'failed' });
        this.logger.warn('catalogue reconcile failed', { err });
        throw err;
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [RECONCILE_LOCK_KEY]);
      }
    } finally {
      await runner.release();
      await this.refreshLag().catch(() => undefined);
    }
  }
}
