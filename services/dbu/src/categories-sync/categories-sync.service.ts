import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import type { SafeFetch, SafeFetchResponse } from '@pjs/egress';
import { counter } from '@pjs/metrics';
import { queryRows, type SqlExecutor } from '../shared/sql';
import { CATEGORY_SEPARATOR } from '../catalogue/category-path';
import { describeFetchError } from '../shared/fetch-error';
import { SAFE_FETCH } from '../shared/safe-fetch.provider';
import { CATEGORIES_SYNC_OPTIONS, type CategoriesSyncOptions } from './categories-sync.options';
import { CategoryFeedError, parseCategoryFeed, type FeedCategory } from './category-feed';

export interface CategorySyncResult {
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Categories whose path changed because an ancestor was renamed or moved. */
  repathed: number;
}

interface CategoryRow {
  id: number;
  name: string;
  parent_id: number | null;
  path: string;
  external_id: string | null;
  position: number;
}

const MAX_FEED_BYTES = 20 * 1024 * 1024;
const syncs = () =>
  counter('dbu_category_syncs_total', 'Category feed syncs by outcome (ok, failed)', ['outcome'] as const);

/**
 * Reads the wholesaler's category tree from WHOLESALER_CATEGORIES_URL (through the SSRF-safe fetch)
 * and upserts it: matched by
 * external id, else by path (categories an import created from product rows); never deletes
 * (products may point at a category the feed dropped).
 */
@Injectable()
export class CategoriesSyncService {
  constructor(
    private readonly db: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CATEGORIES_SYNC_OPTIONS) private readonly settings: Pick<CategoriesSyncOptions, 'url' | 'timeoutMs'>,
    @Inject(SAFE_FETCH) private readonly safeFetch: SafeFetch,
  ) {}

  async sync(url = this.settings.url): Promise<CategorySyncResult> {
    if (!url) throw new CategoryFeedError('WHOLESALER_CATEGORIES_URL is not set');
    try {
      const nodes = parseCategoryFeed(...(await this.download(url)));
      const result = await this.db.transaction((tx) => this.upsert(tx, nodes));
      syncs().inc({ outcome: 'ok' });
      this.logger.info('categories synced', { ...result });
      return result;
    } catch (err) {
      syncs().inc({ outcome: 'failed' });
      throw err;
    }
  }

  private async download(url: string): Promise<[string, string]> {
    let res: SafeFetchResponse;
    try {
      // Public addresses only, also after DNS and each redirect (the URL may come from the CLI).
      res = await this.safeFetch(url, {
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        headers: { accept: 'application/json, text/csv' },
      });
    } catch (err) {
      throw new CategoryFeedError(`cannot reach the category feed: ${describeFetchError(err)}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new CategoryFeedError(`the category feed answered HTTP ${res.status}`);
    }
    const length = Number(res.headers.get('content-length') ?? NaN);
    if (length > MAX_FEED_BYTES)
      throw new CategoryFeedError(`the category feed is larger than ${MAX_FEED_BYTES} bytes`);
    // Counted while reading: a feed without Content-Length is stopped at the limit, not buffered whole.
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        if (bytes > MAX_FEED_BYTES) {
          throw new CategoryFeedError(`the category feed is larger than ${MAX_FEED_BYTES} bytes`);
        }
        chunks.push(Buffer.from(chunk));
      }
    } catch (err) {
      await res.body?.cancel().catch(() => undefined);
      if (err instanceof CategoryFeedError) throw err;
      throw new CategoryFeedError(`cannot read the category feed: ${describeFetchError(err)}`);
    }
    return [Buffer.concat(chunks).toString('utf8'), res.headers.get('content-type') ?? ''];
  }

  private async upsert(tx: SqlExecutor, nodes: FeedCategory[]): Promise<CategorySyncResult> {
    await tx.query(`LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE`);
    const rows = await queryRows<CategoryRow>(
      tx,
      `SELECT id, name, parent_id, path, external_id, position FROM categories`,
    );
    const byExternal = new Map(rows.filter((r) => r.external_id !== null).map((r) => [r.external_id!, r]));
    const byPath = new Map(rows.map((r) => [r.path, r]));
    const resolved = new Map<string, { id: number; path: string }>();
    const result: CategorySyncResult = { total: nodes.length, created: 0, updated: 0, unchanged: 0, repathed: 0 };
    for (const node of nodes) {
      const parent = node.parentExternalId === null ? null : resolved.get(node.parentExternalId)!;
      const path = parent ? `${parent.path}${CATEGORY_SEPARATOR}${node.name}` : node.name;
      const pathHolder = byPath.get(path);
      const existing =
        byExternal.get(node.externalId) ??
        (pathHolder && (pathHolder.external_id === null || pathHolder.external_id === node.externalId)
          ? pathHolder
          : undefined);
      if (!existing) {
        const [created] = await queryRows<{ id: number }>(
          tx,
          `INSERT INTO categories (name, parent_id, path, external_id, position) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [node.name, parent?.id ?? null, path, node.externalId, node.position],
        );
        resolved.set(node.externalId, { id: created.id, path });
        byPath.set(path, {
          id: created.id,
          name: node.name,
          parent_id: parent?.id ?? null,
          path,
          external_id: node.externalId,
          position: node.position,
        });
        result.created += 1;
        continue;
      }
      resolved.set(node.externalId, { id: existing.id, path });
      const same =
        existing.name === node.name &&
        existing.parent_id === (parent?.id ?? null) &&
        existing.path === path &&
        existing.external_id === node.externalId &&
        existing.position === node.position;
      if (same) {
        result.unchanged += 1;
        continue;
      }
      if (pathHolder && pathHolder.id !== existing.id) {
        throw new CategoryFeedError(`category "${node.externalId}" would take the path "${path}" of another category`);
      }
      await tx.query(
        `UPDATE categories SET name = $2, parent_id = $3, path = $4, external_id = $5, position = $6, updated_at = now()
          WHERE id = $1`,
        [existing.id, node.name, parent?.id ?? null, path, node.externalId, node.position],
      );
      byPath.delete(existing.path);
      byPath.set(path, { ...existing, path, name: node.name });
      result.updated += 1;
    }
    // Categories outside the feed (e.g. created by imports) under a renamed or moved parent.
    const repathed = await queryRows<{ n: number }>(
      tx,
      `WITH RECURSIVE tree AS (
         SELECT id, name::text AS path FROM categories WHERE parent_id IS NULL
         UNION ALL
         SELECT c.id, tree.path || $1 || c.name FROM categories c JOIN tree ON c.parent_id = tree.id
       ), upd AS (
         UPDATE categories c SET path = tree.path, updated_at = now() FROM tree
          WHERE c.id = tree.id AND c.path <> tree.path
         RETURNING 1
       ) SELECT count(*)::int AS n FROM upd`,
      [CATEGORY_SEPARATOR],
    );
    result.repathed = repathed[0]?.n ?? 0;
    return result;
  }
}
