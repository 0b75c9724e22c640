import type { AuditEntry } from '@pjs/audit';
import type { ImportCounts, ImportRunRow } from './import-run.types';

/**
 * The audit row of an applied import (`import.apply`, `gpsr.apply`), written in the import's own
 * transaction. It runs in dbu-worker or the CLI, so the actor is the run's requester (the upload's
 * caller, or `cli:<operator>`); the request id is the upload's, carried by the job message.
 */
export function importAppliedEntry(
  run: ImportRunRow,
  counts: ImportCounts,
  details: Record<string, unknown> = {},
): AuditEntry {
  const requester = run.requested_by ?? 'unknown';
  return {
    action: `${run.kind === 'gpsr' ? 'gpsr' : 'import'}.apply`,
    resource: 'import',
    resourceId: run.id,
    actor: { username: run.source === 'cli' ? `cli:${requester}` : requester },
    details: { kind: run.kind, counts, ...details },
  };
}
