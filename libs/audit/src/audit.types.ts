export type AuditOutcome = 'ok' | 'failed' | 'denied';

/** One thing that happened, as a caller records it; who, when and from where are filled in. */
export interface AuditEntry {
  /** What was done: `login`, `token.create`, `product.update`, `import.apply`, … */
  action: string;
  /** What it was done to: `session`, `token`, `user`, `product`, `import`, … */
  resource: string;
  resourceId?: string | number | null;
  outcome?: AuditOutcome;
  details?: Record<string, unknown>;
  /** The actor, when it is not the request's caller (a failed login names who was tried). */
  actor?: { userId?: number | null; username: string; tokenPrefix?: string | null };
}

/** A row of the trail, as the API and the CLI show it. */
export interface AuditRecord {
  id: string;
  at: string;
  actor: string | null;
  actor_user_id: number | null;
  token_prefix: string | null;
  action: string;
  resource: string;
  resource_id: string | null;
  request_id: string | null;
  client_ip: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown> | null;
  /** Where the row comes from: the audit trail, or a service's own ledger. */
  source: string;
}

export interface AuditQuery {
  since?: Date;
  until?: Date;
  actor?: string;
  action?: string;
  resource?: string;
  resourceId?: string;
  /** Rows older than this cursor (from a previous page). */
  before?: string;
  limit: number;
}
