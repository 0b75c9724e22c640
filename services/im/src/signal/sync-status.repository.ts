import { Injectable } from '@nestjs/common';
import { EventTypes } from '@pjs/contracts';
import { DataSource } from '@pjs/database';
import { ImQueues } from '../core/im-queues';

export interface MissingItem {
  item_no: string;
  title: string;
  quantity: number;
  created_at: string;
}

export interface SyncStatus {
  items: { total: number; missing_details: number };
  /** When im-worker last wrote DBU details of any item (event sync or reconciler). */
  last_details_synced_at: string | null;
  reconciler: { following_feed: boolean; caught_up_at: string | null; lag_seconds: number };
  last_signal: {
    event_id: string;
    scope: string;
    requested_by: string | null;
    requested_at: string;
    published_at: string | null;
    handled_at: string | null;
  } | null;
  /** The first items (by item number) still without DBU details. */
  missing: MissingItem[];
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/**
 * What the admin's sync page shows, read from the tables im-worker writes: item_details, the
 * reconciler's dbu_feed_cursor, the outbox (the last im.sync.requested) and processed_messages
 * (whether the worker has handled it). The worker's own gauges are per process; these are not.
 */
@Injectable()
export class SyncStatusRepository {
  constructor(private readonly db: DataSource) {}

  async status(missingLimit: number): Promise<SyncStatus> {
    const [counts] = await this.db.query<{ total: number; missing: number; last_synced: Date | null }[]>(
      `SELECT (SELECT count(*)::int FROM items) AS total,
              (SELECT count(*)::int FROM items i
                WHERE NOT EXISTS (SELECT 1 FROM item_details d WHERE d.item_no = i.item_no)) AS missing,
              (SELECT max(synced_at) FROM item_details) AS last_synced`,
    );
    const [cursor] = await this.db.query<{ cursor: string | null; caught_up_at: Date | null; lag: number }[]>(
      `SELECT cursor, caught_up_at,
              greatest(0, EXTRACT(EPOCH FROM now() - coalesce(caught_up_at, updated_at)))::float AS lag
         FROM dbu_feed_cursor`,
    );
    const [signal] = await this.db.query<
      {
        id: string;
        envelope: { data?: { scope?: string; requested_by?: string } };
        created_at: Date;
        published_at: Date | null;
        handled_at: Date | null;
      }[]
    >(
      `SELECT o.id, o.envelope, o.created_at, o.published_at, p.processed_at AS handled_at
         FROM outbox_messages o
         LEFT JOIN processed_messages p ON p.consumer = $2 AND p.message_id = o.id::text
        WHERE o.type = $1
        ORDER BY o.seq DESC LIMIT 1`,
      [EventTypes.syncRequested, ImQueues.syncRequests.queue],
    );
    const missing = await this.db.query<(Omit<MissingItem, 'created_at'> & { created_at: Date })[]>(
      `SELECT i.item_no, i.title, i.quantity, i.created_at FROM items i
        WHERE NOT EXISTS (SELECT 1 FROM item_details d WHERE d.item_no = i.item_no)
        ORDER BY i.item_no LIMIT $1`,
      [missingLimit],
    );
    return {
      items: { total: counts?.total ?? 0, missing_details: counts?.missing ?? 0 },
      last_details_synced_at: iso(counts?.last_synced ?? null),
      reconciler: {
        following_feed: cursor?.cursor != null,
        caught_up_at: iso(cursor?.caught_up_at ?? null),
        lag_seconds: Math.round(cursor?.lag ?? 0),
      },
      last_signal: signal
        ? {
            event_id: signal.id,
            scope: signal.envelope.data?.scope ?? 'missing',
            requested_by: signal.envelope.data?.requested_by ?? null,
            requested_at: signal.created_at.toISOString(),
            published_at: iso(signal.published_at),
            handled_at: iso(signal.handled_at),
          }
        : null,
      missing: missing.map((m) => ({ ...m, created_at: m.created_at.toISOString() })),
    };
  }
}
