import { Injectable } from '@nestjs/common';
import { DataSource } from '@pjs/database';

export interface PaymentBucket {
  amount: string;
  lines: number;
  quantity: number;
}

export interface MonthPayment extends PaymentBucket {
  /** The DBU release month, `YYYY-MM`. */
  month: string;
}

export interface UpcomingPayments {
  currency: 'EUR';
  /** First month included (`YYYY-MM`). */
  from: string;
  generated_at: string;
  months: MonthPayment[];
  total: PaymentBucket;
  /** Lines of live items without a DBU release date yet: not in any month. */
  unscheduled: PaymentBucket;
}

/**
 * Upcoming payments: every order line of a live (not deleted) item whose DBU release date falls
 * in `from`'s month or later is an open pre-order line, due in its release month. Amount per line:
 * price × quantity − discount (`order_lines.net_amount`), summed exactly in SQL numeric. Because
 * it joins `item_details` at query time, a line moves when DBU changes the release date.
 */
@Injectable()
export class AnalysisRepository {
  constructor(private readonly db: DataSource) {}

  async upcomingPayments(fromMonth?: string): Promise<UpcomingPayments> {
    const [bounds] = await this.db.query<{ from_date: string; from_month: string }[]>(
      `SELECT d::date::text AS from_date, to_char(d, 'YYYY-MM') AS from_month
         FROM date_trunc('month', coalesce(to_date($1, 'YYYY-MM'), current_date)) AS d`,
      [fromMonth ?? null],
    );
    const rows = await this.db.query<{ month: string | null; amount: string; lines: number; quantity: number }[]>(
      `SELECT to_char(d.release_date, 'YYYY-MM') AS month, coalesce(sum(l.net_amount), 0)::numeric(20,2)::text AS amount,
              count(l.id)::int AS lines, coalesce(sum(l.quantity), 0)::int AS quantity
         FROM order_lines l
         JOIN items i ON i.item_no = l.item_no AND NOT i.is_deleted
         JOIN item_details d ON d.item_no = l.item_no
        WHERE d.release_date >= $1::date
        GROUP BY ROLLUP (to_char(d.release_date, 'YYYY-MM'))
        ORDER BY 1 NULLS LAST`,
      [bounds.from_date],
    );
    const months = rows.filter((r): r is MonthPayment => r.month !== null);
    const grand = rows.find((r) => r.month === null);
    const [unscheduled] = await this.db.query<PaymentBucket[]>(
      `SELECT coalesce(sum(l.net_amount), 0)::numeric(20,2)::text AS amount, count(*)::int AS lines,
              coalesce(sum(l.quantity), 0)::int AS quantity
         FROM order_lines l
         JOIN items i ON i.item_no = l.item_no AND NOT i.is_deleted
         LEFT JOIN item_details d ON d.item_no = l.item_no
        WHERE d.release_date IS NULL`,
    );
    return {
      currency: 'EUR',
      from: bounds.from_month,
      generated_at: new Date().toISOString(),
      months,
      total: grand
        ? { amount: grand.amount, lines: grand.lines, quantity: grand.quantity }
        : { amount: '0.00', lines: 0, quantity: 0 },
      unscheduled: unscheduled,
    };
  }
}

/** `month,amount,lines,quantity` with a header row; amounts as exact decimal strings. */
export function toCsv(report: UpcomingPayments): string {
  const rows = report.months.map((m) => `${m.month},${m.amount},${m.lines},${m.quantity}`);
  return ['month,amount,lines,quantity', ...rows].join('\r\n') + '\r\n';
}
