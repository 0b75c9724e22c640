import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Affected, Queryable } from './queryable';

export type TokenKind = 'legacy' | 'login' | 'api';

/** A live token joined with its user, as authentication needs it. */
export interface TokenOwner {
  tokenId: number;
  tokenName: string;
  prefix: string | null;
  kind: TokenKind;
  /** The token's own scopes; null means the account's. */
  scopes: string[] | null;
  expiresAt: Date | null;
  userId: number;
  username: string;
  isAdmin: boolean;
}

/** A token as lists and the admin API show it (never the secret or its hash). */
export interface TokenSummary {
  id: number;
  user_id: number;
  username: string;
  name: string;
  kind: TokenKind;
  prefix: string | null;
  scopes: string[] | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface NewToken {
  userId: number;
  name: string;
  hash: string;
  prefix: string;
  kind: Exclude<TokenKind, 'legacy'>;
  scopes: string[] | null;
  expiresAt: Date | null;
  createdBy: number | null;
}

const SUMMARY = `t.id, t.user_id, u.username, t.name, t.kind, t.prefix, t.scopes, t.created_at, t.expires_at,
                 t.last_used_at, t.revoked_at`;

/** All SQL of API tokens. */
@Injectable()
export class TokenRepository {
  constructor(private readonly db: DataSource) {}

  async insert(token: NewToken, tx: Queryable = this.db): Promise<number> {
    const rows = await tx.query<{ id: number }[]>(
      `INSERT INTO auth_tokens (user_id, name, token_hash, prefix, kind, scopes, expires_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [token.userId, token.name, token.hash, token.prefix, token.kind, token.scopes, token.expiresAt, token.createdBy],
    );
    return rows[0].id;
  }

  async findOwner(tokenHash: string): Promise<TokenOwner | undefined> {
    const rows = await this.db.query<TokenOwner[]>(
      `SELECT t.id AS "tokenId", t.name AS "tokenName", t.prefix, t.kind, t.scopes, t.expires_at AS "expiresAt",
              u.id AS "userId", u.username, u.is_admin AS "isAdmin"
         FROM auth_tokens t JOIN auth_users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.is_active
          AND (t.expires_at IS NULL OR t.expires_at > now())`,
      [tokenHash],
    );
    return rows[0];
  }

  /** Writes at most once a minute per token, so authentication stays read-mostly. */
  async touch(tokenId: number): Promise<void> {
    await this.db.query(
      `UPDATE auth_tokens SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [tokenId],
    );
  }

  async summary(id: number, tx: Queryable = this.db): Promise<TokenSummary | undefined> {
    const rows = await tx.query<TokenSummary[]>(
      `SELECT ${SUMMARY} FROM auth_tokens t JOIN auth_users u ON u.id = t.user_id WHERE t.id = $1`,
      [id],
    );
    return rows[0];
  }

  /** Live tokens whose visible prefix starts with `prefix`. */
  async findLiveByPrefix(prefix: string): Promise<TokenSummary[]> {
    return this.db.query<TokenSummary[]>(
      `SELECT ${SUMMARY} FROM auth_tokens t JOIN auth_users u ON u.id = t.user_id
        WHERE t.prefix LIKE $1 || '%' AND t.revoked_at IS NULL ORDER BY t.id`,
      [prefix.replace(/[%_\\]/g, '\\$&')],
    );
  }

  /** Tokens by id after `afterId` (keyset), newest first when `newestFirst`. */
  async list(filter: {
    userId?: number;
    includeRevoked?: boolean;
    limit: number;
    afterId?: number;
  }): Promise<TokenSummary[]> {
    return this.db.query<TokenSummary[]>(
      `SELECT ${SUMMARY} FROM auth_tokens t JOIN auth_users u ON u.id = t.user_id
        WHERE ($1::int IS NULL OR t.user_id = $1)
          AND ($2 OR (t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())))
          AND t.id > $3
        ORDER BY t.id LIMIT $4`,
      [filter.userId ?? null, filter.includeRevoked ?? false, filter.afterId ?? 0, filter.limit],
    );
  }

  async revoke(id: number, tx: Queryable = this.db): Promise<boolean> {
    const [, affected] = await tx.query<Affected<unknown>>(
      `UPDATE auth_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
      [id],
    );
    return affected > 0;
  }

  /** Revokes a user's live login tokens beyond the newest `keep`; answers how many. */
  async trimLoginTokens(userId: number, keep: number, tx: Queryable = this.db): Promise<number> {
    const [, affected] = await tx.query<Affected<unknown>>(
      `UPDATE auth_tokens SET revoked_at = now()
        WHERE id IN (
          SELECT id FROM auth_tokens
           WHERE user_id = $1 AND kind = 'login' AND revoked_at IS NULL
             AND (expires_at IS NULL OR expires_at > now())
           ORDER BY created_at DESC, id DESC OFFSET $2)`,
      [userId, keep],
    );
    return affected;
  }
}
