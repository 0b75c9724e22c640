import { Inject, Injectable } from '@nestjs/common';
import { AuditWriter } from '@pjs/audit';
import type { Principal } from '@pjs/http';
import { DataSource, type EntityManager } from '@pjs/database';
import { LOGGER, type Logger } from '@pjs/logger';
import { discountColumns, parseDiscount } from '../catalogue/discount';
import { isItemNumber } from '../catalogue/validators';
import { ProductHistoryRepository } from '../history/product-history.repository';
import { ProductRepository } from '../products/product.repository';
import type { EmailDataBody } from './email-data.schemas';
import { emailDataRows } from './email-data.metrics';
import { EmailDiscountRepository } from './email-discount.repository';

export interface SkippedRow {
  index: number;
  item_no: string | null;
  reason: string;
}

export interface EmailDataResult {
  order_number: string;
  applied: number;
  skipped: number;
  skipped_rows: SkippedRow[];
}

interface ValidRow {
  index: number;
  item_no: string;
  percent: string | null;
  amount: string | null;
}

/**
 * Applies discounts from a supplier's order e-mail. Invalid rows are skipped, logged with the
 * reason and reported; an (order, item) pair already applied is skipped too, so the same e-mail
 * twice changes nothing. Changes are recorded in the history with the order number as source, and
 * each request in the audit trail (the items it changed).
 */
@Injectable()
export class EmailDataService {
  private readonly rowsMetric = emailDataRows();

  constructor(
    private readonly db: DataSource,
    private readonly products: ProductRepository,
    private readonly ledger: EmailDiscountRepository,
    private readonly history: ProductHistoryRepository,
    private readonly audit: AuditWriter,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `outer`: the caller's transaction (the request's Idempotency-Key is stored in it). */
  async apply(dto: EmailDataBody, principal: Principal, outer?: EntityManager): Promise<EmailDataResult> {
    const orderNumber = String(dto.order_number).trim();
    const skipped: SkippedRow[] = [];
    const valid = this.validRows(dto.items, skipped);

    const applied = await (outer ?? this.db.manager).transaction(async (tx) => {
      const active = await this.products.lockActive(
        tx,
        valid.map((r) => r.item_no),
      );
      const known = valid.filter((row) => {
        if (active.has(row.item_no)) return true;
        skipped.push({ index: row.index, item_no: row.item_no, reason: 'unknown item_no' });
        return false;
      });
      const claimed = await this.ledger.claim(tx, orderNumber, known, principal.username);
      const fresh = known.filter((row) => {
        if (claimed.has(row.item_no)) return true;
        skipped.push({ index: row.index, item_no: row.item_no, reason: 'already applied for this order' });
        return false;
      });
      const updated = await this.products.applyDiscounts(tx, orderNumber, fresh);
      await this.history.recordChanges(
        tx,
        updated.map((u) => ({ item_no: u.item_no, before: active.get(u.item_no) ?? null, after: u.j })),
        { type: 'email', ref: orderNumber, actor: principal.username },
      );
      // In the same transaction: the discounts and their audit row exist together or not at all.
      await this.audit.record(
        {
          action: 'email_data.apply',
          resource: 'order',
          resourceId: orderNumber,
          details: { applied: fresh.map((row) => row.item_no), skipped: skipped.length },
        },
        tx,
      );
      return fresh.length;
    });

    skipped.sort((a, b) => a.index - b.index);
    for (const row of skipped) {
      this.logger.warn('email-data row skipped', {
        order_number: orderNumber,
        index: row.index,
        item_no: row.item_no,
        reason: row.reason,
      });
    }
    if (applied) this.rowsMetric.inc({ outcome: 'applied' }, applied);
    if (skipped.length) this.rowsMetric.inc({ outcome: 'skipped' }, skipped.length);
    this.logger.info('email-data applied', { order_number: orderNumber, applied, skipped: skipped.length });
    return { order_number: orderNumber, applied, skipped: skipped.length, skipped_rows: skipped };
  }

  private validRows(items: readonly unknown[], skipped: SkippedRow[]): ValidRow[] {
    const seen = new Set<string>();
    const valid: ValidRow[] = [];
    items.forEach((raw, index) => {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        skipped.push({ index, item_no: null, reason: 'row is not an object' });
        return;
      }
      const row = raw as Record<string, unknown>;
      const itemNo = typeof row.item_no === 'number' ? String(row.item_no) : row.item_no;
      if (!isItemNumber(typeof itemNo === 'string' ? itemNo.trim() : itemNo)) {
        skipped.push({
          index,
          item_no: typeof itemNo === 'string' ? itemNo : null,
          reason: 'item_no is missing or invalid',
        });
        return;
      }
      const item = (itemNo as string).trim();
      const discount = parseDiscount(row.discount);
      if (!discount.ok) {
        skipped.push({ index, item_no: item, reason: discount.reason });
        return;
      }
      if (seen.has(item)) {
        skipped.push({ index, item_no: item, reason: 'item_no appears twice in this order' });
        return;
      }
      seen.add(item);
      const { percent, amount } = discountColumns(discount.discount);
      valid.push({ index, item_no: item, percent, amount });
    });
    return valid;
  }
}
