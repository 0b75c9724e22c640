import type { DataSource } from 'typeorm';
import type { Principal } from './auth.types';

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  is_admin: boolean;
  is_active: boolean;
}

export interface TokenSummary {
  id: number;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** All SQL of users and API tokens. */
export class AuthRepository {
  constructor(private readonly db: DataSource) {}

  async insertUser(username: string, passwordHash: string, isAdmin: boolean): Promise<number> {
    const rows = await this.db.query<{ id: number }[]>(
      `INSERT INTO auth_users (username, password_hash, is_admin) VALUES ($1, $2, $3)
       ON CONFLICT (lower(username)) DO NOTHING RETURNING id`,
      [username, passwordHash, isAdmin],
    );
    if (!rows[0]) throw new DuplicateUserError(username);
    return rows[0].id;
  }

  async updateUser(username: string, passwordHash: string, isAdmin: boolean): Promise<number | undefined> {
    const [rows] = await this.db.query<[{ id: number }[], number]>(
      `UPDATE auth_users SET password_hash = $2, is_admin = $3 WHERE lower(username) = lower($1) RETURNING id`,
      [username, passwordHash, isAdmin],
    );
    return rows[0]?.id;
  }

  async findUserByUsername(username: string): Promise<UserRow | undefined> {
    const rows = await this.db.query<UserRow[]>(
      `SELECT id, username, password_hash, is_admin, is_active FROM auth_users WHERE lower(username) = lower($1)`,
      [username],
    );
    return rows[0];
  }

  async insertToken(userId: number, name: string, tokenHash: string): Promise<number> {
    const rows = await this.db.query<{ id: number }[]>(
      `INSERT INTO auth_tokens (user_id, name, token_hash) VALUES ($1, $2, $3) RETURNING id`,
      [userId, name, tokenHash],
    );
    return rows[0].id;
  }

  async findPrincipalByTokenHash(tokenHash: string): Promise<Principal | undefined> {
    const rows = await this.db.query<Principal[]>(
      `SELECT t.id AS "tokenId", t.name AS "tokenName", u.id AS "userId", u.username, u.is_admin AS "isAdmin"
         FROM auth_tokens t JOIN auth_users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.is_active`,
      [tokenHash],
    );
    return rows[0];
  }

  /** Writes at most once a minute per token, so authentication stays read-mostly. */
  async touchToken(tokenId: number): Promise<void> {
    await this.db.query(
      `UPDATE auth_tokens SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [tokenId],
    );
  }

  async revokeToken(tokenId: number): Promise<void> {
    await this.db.query(`UPDATE auth_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [tokenId]);
  }

  async listTokens(userId: number): Promise<TokenSummary[]> {
    return await this.db.query<TokenSummary[]>(
      `SELECT id, name, created_at, last_used_at, revoked_at FROM auth_tokens WHERE user_id = $1 ORDER BY id`,
      [userId],
    );
  }
}

export class DuplicateUserError extends Error {
  constructor(readonly username: string) {
    super(`user "${username}" already exists`);
    this.name = 'DuplicateUserError';
  }
}
