import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AUDIT_OPTIONS, type AuditOptions } from './audit.options';
import type { AuditQuery, AuditRecord } from './audit.types';

const TRAIL = `
  SELECT 'audit:' || id AS id, at, actor_user_id, actor, token_prefix, action, resource, resource_id,
         request_id, host(client_ip) AS client_ip, outcome, details, 'audit' AS source
    FROM audit_log`;

/**
 * Reads the trail, newest first, with keyset pages (a cursor, never an offset). A service may add
 * a source of its own with the same columns (IM's stock ledger), read as one list.
 */
@Injectable()
export class AuditReader {
  constructor(
    private readonly db: DataSource,
    @Inject(AUDIT_OPTIONS) private readonly options: AuditOptions,
  ) {}

  async list(query: AuditQuery): Promise<{ results: AuditRecord[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.since) add('at >= ?', query.since);
    if (query.until) add('at < ?', query.until);
    if (query.actor) add('lower(actor) = lower(?)', query.actor);
    if (query.action) add('action = ?', query.action);
    if (query.resource) add('resource = ?', query.resource);
    if (query.resourceId) add('resource_id = ?', query.resourceId);
    if (query.before) {
      const [at, id] = decodeCursor(query.before);
      params.push(at, id);
      where.push(`(at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(query.limit + 1);
    const sources = [TRAIL, ...(this.options.extraSources ?? [])].join('\nUNION ALL\n');
    const rows = await this.db.query<(Omit<AuditRecord, 'at'> & { at: Date })[]>(
      `SELECT * FROM (${sources}) trail
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      results: page.map((r) => ({ ...r, at: r.at.toISOString() })),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.at, last.id) : null,
    };
  }
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

/** What encodeCursor writes: a `toISOString` instant (years 1 to 9999) and a source-prefixed id. */
const CURSOR_AT = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CURSOR_ID = /^[a-z_]{1,32}:[1-9][0-9]{0,18}$/;

/**
 * The `(at, id)` a cursor names, checked part by part: a forged one (a JavaScript-only date such as
 * `1` or Feb 30, year 0, a NUL in the id) must be refused here, not by PostgreSQL as a 500.
 */
function decodeCursor(cursor: string): [string, string] {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw new InvalidCursorError();
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const [at, id] = parts;
  const year = CURSOR_AT.exec(at ?? '')?.[1];
  if (parts.length !== 2 || !year || year === '0000' || !CURSOR_ID.test(id)) throw new InvalidCursorError();
  // A real instant reads back as the same text (2025-02-30 would not).
  const time = Date.parse(at);
  if (!Number.isFinite(time) || new Date(time).toISOString() !== at) throw new InvalidCursorError();
  return [at, id];
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor: not a cursor of this list');
  }
}
