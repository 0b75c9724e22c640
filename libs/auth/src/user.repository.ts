import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Affected, Queryable } from './queryable';

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  is_admin: boolean;
  is_active: boolean;
}

/** A user as lists and the admin API show it (never the hash). */
export interface UserSummary {
  id: number;
  username: string;
  is_admin: boolean;
  is_active: boolean;
  created_at: Date;
  last_login_at: Date | null;
  password_changed_at: Date | null;
}

const SUMMARY = `id, username, is_admin, is_active, created_at, last_login_at, password_changed_at`;

/** All SQL of user accounts. */
@Injectable()
export class UserRepository {
  constructor(private readonly db: DataSource) {}

  async insert(username: string, passwordHash: string, isAdmin: boolean, tx: Queryable = this.db): Promise<number> {
    const rows = await tx.query<{ id: number }[]>(
      `INSERT INTO auth_users (username, password_hash, is_admin, password_changed_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (lower(username)) DO NOTHING RETURNING id`,
      [username, passwordHash, isAdmin],
    );
    if (!rows[0]) throw new DuplicateUserError(username);
    return rows[0].id;
  }

  async findByUsername(username: string, tx: Queryable = this.db): Promise<UserRow | undefined> {
    const rows = await tx.query<UserRow[]>(
      `SELECT id, username, password_hash, is_admin, is_active FROM auth_users WHERE lower(username) = lower($1)`,
      [username],
    );
    return rows[0];
  }

  async summary(id: number, tx: Queryable = this.db): Promise<UserSummary | undefined> {
    const rows = await tx.query<UserSummary[]>(`SELECT ${SUMMARY} FROM auth_users WHERE id = $1`, [id]);
    return rows[0];
  }

  /** Users by id, after `afterId` (keyset). */
  async list(limit: number, afterId = 0): Promise<UserSummary[]> {
    return this.db.query<UserSummary[]>(`SELECT ${SUMMARY} FROM auth_users WHERE id > $1 ORDER BY id LIMIT $2`, [
      afterId,
      limit,
    ]);
  }

  async count(): Promise<number> {
    const [row] = await this.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM auth_users`);
    return row.n;
  }

  async update(
    id: number,
    change: { passwordHash?: string; isAdmin?: boolean; isActive?: boolean },
    tx: Queryable = this.db,
  ): Promise<boolean> {
    const [, affected] = await tx.query<Affected<unknown>>(
      `UPDATE auth_users SET
         password_hash = COALESCE($2, password_hash),
         password_changed_at = CASE WHEN $2::text IS NULL THEN password_changed_at ELSE now() END,
         is_admin = COALESCE($3, is_admin),
         is_active = COALESCE($4, is_active)
       WHERE id = $1`,
      [id, change.passwordHash ?? null, change.isAdmin ?? null, change.isActive ?? null],
    );
    return affected > 0;
  }

  async markLogin(id: number, tx: Queryable = this.db): Promise<void> {
    await tx.query(`UPDATE auth_users SET last_login_at = now() WHERE id = $1`, [id]);
  }
}

export class DuplicateUserError extends Error {
  constructor(readonly username: string) {
    super(`user "${username}" already exists`);
    this.name = 'DuplicateUserError';
  }
}
