import { Inject, Injectable } from '@nestjs/common';
import { ApiException, type Principal } from '@pjs/http';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';

export const IDEMPOTENCY_OPTIONS = Symbol('IDEMPOTENCY_OPTIONS');

export interface IdempotencyOptions {
  /** `IDEMPOTENCY_RETENTION`: how long a key's first answer is kept for replays (default 7 days). */
  retentionMs: number;
  /** `IDEMPOTENCY_SWEEP_INTERVAL`: how often IdempotencyRetention forgets old keys; 0 never (default 1 hour). */
  sweepIntervalMs: number;
}

/** The request a write answers, as far as replays care. */
export interface IdempotentRequest {
  /** The caller's Idempotency-Key, if it sent one (the route's header schema checked its form). */
  key: string | undefined;
  /** The route (`POST /api/products`): the same key on another route is another key. */
  route: string;
  /** Keys are per caller: the same key from two callers is two keys. */
  principal: Pick<Principal, 'userId'> | undefined;
  /** What the request asks for: the same key with a different request answers 422. */
  request: unknown;
}

export interface IdempotentAnswer<T> {
  status: number | undefined;
  body: T;
  /** True when this is the stored answer of an earlier request with the same key. */
  replayed: boolean;
}

/** The same Idempotency-Key with a different request. */
export class IdempotencyKeyReusedException extends ApiException {
  constructor() {
    super(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was used for a different request; use a new key for a new request.',
    );
  }
}

/**
 * Idempotency-Key for every write: the key and the first answer are stored in the write's own
 * transaction, so either both exist or neither. A repeat with the same key and request answers the
 * stored answer without writing again; with another request, 422. A concurrent repeat waits for the
 * first (the key's row is locked by its insert) and then replays its answer. A refused request
 * (an exception) rolls its key back with everything else: a corrected retry may use the same key.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly db: DataSource,
    @Inject(IDEMPOTENCY_OPTIONS) private readonly options: IdempotencyOptions,
  ) {}

  async run<T>(
    request: IdempotentRequest,
    write: (tx: EntityManager) => Promise<{ status?: number; body: T }>,
  ): Promise<IdempotentAnswer<T>> {
    if (!request.key) {
      const result = await this.db.transaction(write);
      return { status: result.status, body: result.body, replayed: false };
    }
    const caller = request.principal ? `user:${request.principal.userId}` : 'anonymous';
    const hash = requestHash(request.request);
    const id = [caller, request.route, request.key];
    return this.db.transaction(async (tx) => {
      const claimed = await tx.query<unknown[]>(
        `INSERT INTO idempotency_keys (caller, route, key, request_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [...id, hash],
      );
      if (claimed.length === 0) {
        const [earlier] = await tx.query<
          { request_hash: string; status_code: number | null; response_body: string | null }[]
        >(
          `SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE caller = $1 AND route = $2 AND key = $3`,
          id,
        );
        if (earlier.request_hash !== hash) throw new IdempotencyKeyReusedException();
        return {
          status: earlier.status_code ?? undefined,
          body: (earlier.response_body === null ? undefined : JSON.parse(earlier.response_body)) as T,
          replayed: true,
        };
      }
      const result = await write(tx);
      await tx.query(
        `UPDATE idempotency_keys SET status_code = $4, response_body = $5 WHERE caller = $1 AND route = $2 AND key = $3`,
        [...id, result.status ?? null, result.body === undefined ? null : JSON.stringify(result.body)],
      );
      return { status: result.status, body: result.body, replayed: false };
    });
  }

  /** Forgets keys older than IDEMPOTENCY_RETENTION; answers how many. */
  async forgetOld(): Promise<number> {
    const [, removed] = await this.db.query<[unknown, number]>(
      `DELETE FROM idempotency_keys WHERE created_at < now() - $1 * interval '1 millisecond'`,
      [this.options.retentionMs],
    );
    return removed;
  }
}

/** A hash of the request that does not depend on the order of object keys. */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

function stableJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}
