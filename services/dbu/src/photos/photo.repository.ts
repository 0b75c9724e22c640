import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';
import { queryRows, type SqlExecutor } from '../shared/sql';
import type { StoredPhoto } from './photo-fetcher';
import { PHOTO_OPTIONS, type PhotoOptions } from './photo.options';

export type PhotoScope = 'missing' | 'all';

export interface PhotoCandidate {
  item_no: string;
  url: string;
}

export interface PhotoSummary {
  stored: number;
  pending: number;
  /** Failed, will be tried again. */
  retrying: number;
  /** Failed PHOTO_MAX_ATTEMPTS times: left alone until the URL changes or `fetch-photos` (all) runs. */
  given_up: number;
}

/** All SQL of `product_photos` for the fetcher. */
@Injectable()
export class PhotoRepository {
  private readonly maxAttempts: number;

  constructor(
    private readonly db: DataSource,
    @Inject(PHOTO_OPTIONS) options: Pick<PhotoOptions, 'maxAttempts'>,
  ) {
    this.maxAttempts = options.maxAttempts;
  }

  /**
   * Products whose current image URL needs fetching, in item order after `after`: `missing` =
   * no photo stored for that URL and no failure waiting for its retry time (or given up);
   * `all` = every product with an image URL.
   */
  async candidates(scope: PhotoScope, limit: number, after = ''): Promise<PhotoCandidate[]> {
    return queryRows<PhotoCandidate>(
      this.db,
      `SELECT p.item_no, p.image_url AS url FROM products p
        WHERE NOT p.is_deleted AND p.image_url IS NOT NULL AND p.item_no > $1
          AND ($2 = 'all' OR NOT EXISTS (
                SELECT 1 FROM product_photos ph
                 WHERE ph.item_no = p.item_no AND ph.source_url = p.image_url
                   AND (ph.status = 'stored'
                        OR (ph.status = 'failed' AND (ph.attempts >= $4 OR ph.next_attempt_at > now())))))
        ORDER BY p.item_no LIMIT $3`,
      [after, scope, limit, this.maxAttempts],
    );
  }

  async countCandidates(scope: PhotoScope): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      this.db,
      `SELECT count(*)::int AS n FROM products p
        WHERE NOT p.is_deleted AND p.image_url IS NOT NULL
          AND ($1 = 'all' OR NOT EXISTS (
                SELECT 1 FROM product_photos ph
                 WHERE ph.item_no = p.item_no AND ph.source_url = p.image_url
                   AND (ph.status = 'stored'
                        OR (ph.status = 'failed' AND (ph.attempts >= $2 OR ph.next_attempt_at > now())))))`,
      [scope, this.maxAttempts],
    );
    return rows[0]?.n ?? 0;
  }

  async recordStored(candidate: PhotoCandidate, photo: StoredPhoto): Promise<void> {
    await this.db.query(
      `INSERT INTO product_photos (item_no, source_url, sha256, path, content_type, bytes, status, attempts, fetched_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'stored', 1, now())
       ON CONFLICT (item_no, source_url) DO UPDATE
          SET sha256 = EXCLUDED.sha256, path = EXCLUDED.path, content_type = EXCLUDED.content_type,
              bytes = EXCLUDED.bytes, status = 'stored', attempts = product_photos.attempts + 1, last_error = NULL,
              next_attempt_at = NULL, fetched_at = now(), updated_at = now()`,
      [candidate.item_no, candidate.url, photo.sha256, photo.path, photo.contentType, photo.bytes],
    );
  }

  /** Records a failure; the next try waits `retryAfterMs`, doubling with each failure (at most 7 days). */
  async recordFailed(candidate: PhotoCandidate, error: string, retryAfterMs: number): Promise<void> {
    await this.db.query(
      `INSERT INTO product_photos (item_no, source_url, status, attempts, last_error, next_attempt_at)
       VALUES ($1, $2, 'failed', 1, $3, now() + $4 * interval '1 millisecond')
       ON CONFLICT (item_no, source_url) DO UPDATE
          SET status = CASE WHEN product_photos.status = 'stored' THEN 'stored' ELSE 'failed' END,
              attempts = product_photos.attempts + 1, last_error = EXCLUDED.last_error,
              next_attempt_at = now() + least($4 * power(2, product_photos.attempts), 604800000) * interval '1 millisecond',
              updated_at = now()`,
      [candidate.item_no, candidate.url, error.slice(0, 1000), retryAfterMs],
    );
  }

  async summary(): Promise<PhotoSummary> {
    const rows = await queryRows<PhotoSummary>(
      this.db,
      `SELECT count(*) FILTER (WHERE status = 'stored')::int AS stored,
              count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'failed' AND attempts < $1)::int AS retrying,
              count(*) FILTER (WHERE status = 'failed' AND attempts >= $1)::int AS given_up
         FROM product_photos`,
      [this.maxAttempts],
    );
    return rows[0];
  }

  /** One photo pass at a time across processes: a session lock held on `tx` while it runs. */
  async tryLock(tx: SqlExecutor): Promise<boolean> {
    const rows = await queryRows<{ ok: boolean }>(tx, `SELECT pg_try_advisory_lock(hashtext('dbu.photos')) AS ok`);
    return rows[0]?.ok === true;
  }

  async unlock(tx: SqlExecutor): Promise<void> {
    await tx.query(`SELECT pg_advisory_unlock(hashtext('dbu.photos'))`);
  }
}
