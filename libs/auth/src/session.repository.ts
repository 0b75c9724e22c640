import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Affected, Queryable } from './queryable';

/** A live session joined with its user, as authentication needs it. */
export interface SessionOwner {
  sessionId: number;
  lastSeenAt: Date;
  expiresAt: Date;
  userId: number;
  username: string;
  isAdmin: boolean;
}

/** All SQL of people's browser sessions. */
@Injectable()
export class SessionRepository {
  constructor(private readonly db: DataSource) {}

  async insert(
    session: { hash: string; userId: number; expiresAt: Date; clientIp?: string; userAgent?: string },
    tx: Queryable = this.db,
  ): Promise<number> {
    const rows = await tx.query<{ id: number }[]>(
      `INSERT INTO auth_sessions (session_hash, user_id, expires_at, client_ip, user_agent)
       VALUES ($1, $2, $3, $4::inet, $5) RETURNING id`,
      [
        session.hash,
        session.userId,
        session.expiresAt,
        session.clientIp ?? null,
        session.userAgent?.slice(0, 300) ?? null,
      ],
    );
    return rows[0].id;
  }

  /** The session if it is open, within its absolute lifetime and not idle longer than `idleMs`. */
  async findLive(hash: string, idleMs: number): Promise<SessionOwner | undefined> {
    const rows = await this.db.query<SessionOwner[]>(
      `SELECT s.id AS "sessionId", s.last_seen_at AS "lastSeenAt", s.expires_at AS "expiresAt",
              u.id AS "userId", u.username, u.is_admin AS "isAdmin"
         FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id
        WHERE s.session_hash = $1 AND s.ended_at IS NULL AND u.is_active
          AND s.expires_at > now() AND s.last_seen_at > now() - $2 * interval '1 millisecond'`,
      [hash, idleMs],
    );
    return rows[0];
  }

  /** Keeps an active session alive; written at most once a minute. */
  async touch(sessionId: number): Promise<void> {
    await this.db.query(
      `UPDATE auth_sessions SET last_seen_at = now()
        WHERE id = $1 AND last_seen_at < now() - interval '1 minute'`,
      [sessionId],
    );
  }

  async end(sessionId: number, tx: Queryable = this.db): Promise<boolean> {
    const [, affected] = await tx.query<Affected<unknown>>(
      `UPDATE auth_sessions SET ended_at = now() WHERE id = $1 AND ended_at IS NULL`,
      [sessionId],
    );
    return affected > 0;
  }

  async endAllOf(userId: number, tx: Queryable = this.db): Promise<number> {
    const [, affected] = await tx.query<Affected<unknown>>(
      `UPDATE auth_sessions SET ended_at = now() WHERE user_id = $1 AND ended_at IS NULL`,
      [userId],
    );
    return affected;
  }
}
