import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@pjs/logger';
import { compareCursors, decodeCursor, encodeCursor, type ChangeCursor } from './change-cursor';
import { CHANGES_OPTIONS, type ChangesOptions } from './changes.options';
import { CursorExpiredException, InvalidCursorException } from './product-change.exceptions';
import { ProductChangeRepository } from './product-change.repository';
import { DEFAULT_CHANGES_LIMIT } from './product-change.schemas';

export interface ChangesPageAnswer {
  /** JSON array text of the changes. */
  results: string;
  next: string;
  hasMore: boolean;
  head: string;
}

export interface CompactionResult {
  superseded: number;
  expired: number;
  remaining: number;
}

/** The changes feed: pages of the change log, and its compaction and retention. */
@Injectable()
export class ProductChangeService {
  constructor(
    private readonly changes: ProductChangeRepository,
    @Inject(CHANGES_OPTIONS) private readonly options: ChangesOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async page(afterText: string | undefined, limit = DEFAULT_CHANGES_LIMIT): Promise<ChangesPageAnswer> {
    let after: ChangeCursor | undefined;
    if (afterText !== undefined && afterText !== '') {
      after = decodeCursor(afterText);
      if (!after) throw new InvalidCursorException();
    }
    const row = await this.changes.page(after, limit);
    const horizon = { txid: BigInt(row.horizon_txid), id: BigInt(row.horizon_id) };
    if (after && compareCursors(after, horizon) < 0) throw new CursorExpiredException();
    const last =
      row.last_txid !== null && row.last_id !== null
        ? { txid: BigInt(row.last_txid), id: BigInt(row.last_id) }
        : undefined;
    // Never behind the horizon: a transaction older than the newest expired change (possible when the
    // log was cut by hand, or by a cluster-wide xmin held back in another database) would otherwise
    // make the head itself answer 410, and a reader starting over would copy everything again and again.
    const snapshot = { txid: BigInt(row.xmin), id: 0n };
    return {
      results: row.results,
      next: encodeCursor(last ?? after ?? horizon),
      hasMore: row.n === limit,
      head: encodeCursor(compareCursors(snapshot, horizon) < 0 ? horizon : snapshot),
    };
  }

  /** Drops superseded changes, then those older than CHANGES_RETENTION (dbu-cleanup, `pnpm dbu compact-changes`). */
  async compact(retentionMs = this.options.retentionMs): Promise<CompactionResult> {
    const superseded = await this.changes.compact();
    const expired = await this.changes.expire(retentionMs);
    const remaining = await this.changes.size();
    this.logger.info('product change log compacted', { superseded, expired, remaining, retention_ms: retentionMs });
    return { superseded, expired, remaining };
  }
}

/** `{"results":…,"next":…,"has_more":…,"head":…}` with the results' JSON text passed through. */
export function changesPageJson(page: ChangesPageAnswer): string {
  return `{"results":${page.results},"next":${JSON.stringify(page.next)},"has_more":${page.hasMore},"head":${JSON.stringify(page.head)}}`;
}
