export const AUDIT_OPTIONS = Symbol('AUDIT_OPTIONS');

export interface AuditOptions {
  /** `AUDIT_RETENTION`: rows older than this are deleted (default 400 days). */
  retentionMs: number;
  /** `AUDIT_IP_RETENTION`: client addresses older than this are blanked (default 90 days). */
  ipRetentionMs: number;
  /**
   * SELECTs with the trail's columns (id, at, actor_user_id, actor, token_prefix, action, resource,
   * resource_id, request_id, client_ip, outcome, details, source) read together with it.
   */
  extraSources?: readonly string[];
  /**
   * Apply the retention on a timer in this process, this often (dbu-cleanup and im-worker: daily);
   * unset: never (web apps and the CLI, which has `audit prune`).
   */
  retentionIntervalMs?: number;
}
