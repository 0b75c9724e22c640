import { Injectable } from '@nestjs/common';
import { currentCorrelationContext } from '@pjs/logger';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditEntry } from './audit.types';

/** Anything that runs SQL: the data source, or the transaction of the change being recorded. */
export type Queryable = Pick<DataSource, 'query'> | Pick<EntityManager, 'query'>;

/**
 * Writes audit rows. Pass the transaction of the change the row describes, so both are committed
 * or rolled back together. Actor, token prefix, request id and client address come from the
 * request's context unless the entry names the actor.
 */
@Injectable()
export class AuditWriter {
  constructor(private readonly db: DataSource) {}

  async record(entry: AuditEntry, tx: Queryable = this.db): Promise<void> {
    const context = currentCorrelationContext();
    const actor = entry.actor ?? context?.actor;
    await tx.query(
      `INSERT INTO audit_log
         (actor_user_id, actor, token_prefix, action, resource, resource_id, request_id, client_ip, outcome, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::inet, $9, $10)`,
      [
        actor?.userId ?? null,
        actor?.username ?? null,
        actor?.tokenPrefix ?? null,
        entry.action,
        entry.resource,
        entry.resourceId === undefined || entry.resourceId === null ? null : String(entry.resourceId),
        context?.correlationId ?? null,
        plainIp(context?.clientIp?.()),
        entry.outcome ?? 'ok',
        entry.details ? JSON.stringify(entry.details) : null,
      ],
    );
  }
}

/** An address PostgreSQL's inet accepts (IPv4-mapped IPv6 unwrapped), or null. */
function plainIp(ip: string | undefined): string | null {
  if (!ip) return null;
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return /^[0-9a-fA-F:.]+$/.test(plain) ? plain : null;
}
