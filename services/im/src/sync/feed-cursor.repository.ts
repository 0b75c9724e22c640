import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from '@pjs/database';

export interface FeedCursorState {
  /** DBU's opaque cursor; null: never followed (or reset), the next run copies everything. */
  cursor: string | null;
  caughtUpAt: Date | null;
}

/** The reconciler's position in DBU's changes feed (one row, `dbu_feed_cursor`). */
@Injectable()
export class FeedCursorRepository {
  constructor(private readonly db: DataSource) {}

  async get(manager: EntityManager | DataSource = this.db): Promise<FeedCursorState> {
    const rows = await manager.query<{ cursor: string | null; caught_up_at: Date | null }[]>(
      `SELECT cursor, caught_up_at FROM dbu_feed_cursor`,
    );
    return { cursor: rows[0]?.cursor ?? null, caughtUpAt: rows[0]?.caught_up_at ?? null };
  }

  /** Moves the cursor; `caughtUp` also records that the feed was read to its end now. */
  async save(cursor: string, caughtUp: boolean, manager: EntityManager | DataSource = this.db): Promise<void> {
    await manager.query(
      `UPDATE dbu_feed_cursor SET cursor = $1, updated_at = now(),
              caught_up_at = CASE WHEN $2::boolean THEN now() ELSE caught_up_at END`,
      [cursor, caughtUp],
    );
  }

  /** Forgets the position (`pnpm im resync-catalogue`): the next run copies everything. */
  async reset(manager: EntityManager | DataSource = this.db): Promise<void> {
    await manager.query(`UPDATE dbu_feed_cursor SET cursor = NULL, caught_up_at = NULL, updated_at = now()`);
  }

  /**
   * Seconds since the feed was last read to its end (since the cursor was created or reset, when
   * it never was): grows while runs fail, DBU is down or nothing runs them.
   */
  async lagSeconds(): Promise<number> {
    const rows = await this.db.query<{ lag: number | null }[]>(
      `SELECT EXTRACT(EPOCH FROM now() - coalesce(caught_up_at, updated_at))::float AS lag FROM dbu_feed_cursor`,
    );
    return Math.max(0, rows[0]?.lag ?? 0);
  }
}
