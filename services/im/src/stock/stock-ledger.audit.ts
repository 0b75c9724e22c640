import type { AuditOptions } from '@pjs/audit';
import { accountSettings } from '@pjs/config';
import type { ImConfig } from '../config/im-config';

/**
 * The stock ledger as a source of the audit trail (`AuditOptions.extraSources`): every movement —
 * orders received, stock added, reduced, deleted, restored — with who booked it (account, token
 * prefix, request id), read together with audit_log by `GET /api/admin/audit/` and `pnpm im audit`.
 * Stock changes are recorded here only, in the statement that changes the stock, not twice.
 * Ledger rows are kept for good (the audit retention does not apply to them) and hold no address.
 */
export const STOCK_LEDGER_AUDIT_SOURCE = `
  SELECT 'ledger:' || m.id AS id, m.created_at AS at, m.actor_user_id, m.actor, m.token_prefix,
         'stock.' || m.type AS action, 'item' AS resource, i.item_no AS resource_id, m.request_id,
         NULL::text AS client_ip, 'ok' AS outcome,
         jsonb_strip_nulls(jsonb_build_object('amount', m.amount, 'balance_after', m.balance_after,
                                              'order_number', o.order_number, 'reason', m.reason)) AS details,
         'ledger' AS source
    FROM stock_movements m
    JOIN items i ON i.id = m.item_id
    LEFT JOIN orders o ON o.id = m.order_id`;

/** IM's audit options: the shared retention settings plus the stock ledger as a second source. */
export function imAuditOptions(config: ImConfig): Partial<AuditOptions> {
  return { ...accountSettings(config).audit, extraSources: [STOCK_LEDGER_AUDIT_SOURCE] };
}
