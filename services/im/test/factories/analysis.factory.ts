import { auth, type ImWebHarness } from './im-web.factory';
import { line, mailBotPayload, uniqueItemNo, upsertItemDetails } from './orders.factory';

export interface UpcomingScenario {
  /** `YYYY-MM` of the current month (PostgreSQL's current_date) and the next two. */
  months: [string, string, string];
  lastMonth: string;
  items: { thisMonth: string; nextMonth: string; lastMonth: string; noDate: string; deleted: string };
}

/**
 * Orders whose items release this month (2 lines: 2 × 12.50 − 5 % = 23.75 and 1 × 12.50), next
 * month (3 × 10.00 − 1.50 = 28.50), last month (not open any more), without a release date
 * (unscheduled: 4 × 2.50 = 10.00) and next month but deleted (excluded).
 */
export async function seedUpcomingPayments(h: ImWebHarness): Promise<UpcomingScenario> {
  const [dates] = await h.dataSource.query<
    { m0: string; m1: string; m2: string; prev: string; d0: string; d1: string; dprev: string }[]
  >(
    `SELECT to_char(m, 'YYYY-MM') AS m0, to_char(m + interval '1 month', 'YYYY-MM') AS m1,
            to_char(m + interval '2 month', 'YYYY-MM') AS m2, to_char(m - interval '1 month', 'YYYY-MM') AS prev,
            (m + interval '14 day')::date::text AS d0, (m + interval '1 month 27 day')::date::text AS d1,
            (m - interval '1 month')::date::text AS dprev
       FROM date_trunc('month', current_date) AS m`,
  );
  const items = {
    thisMonth: uniqueItemNo('NOW'),
    nextMonth: uniqueItemNo('NEXT'),
    lastMonth: uniqueItemNo('PAST'),
    noDate: uniqueItemNo('TBA'),
    deleted: uniqueItemNo('DEL'),
  };
  const receive = (items: ReturnType<typeof line>[]) =>
    h.http().post('/api/receive/').set(auth(h.user)).send(mailBotPayload({ items })).expect(201);
  await receive([
    line({ item_no: items.thisMonth, price: '12.50', discount: '5%', quantity: '2', total: '25.00' }),
    line({ item_no: items.nextMonth, price: '10.00', discount: '1.50', quantity: 3 }),
    line({ item_no: items.lastMonth, price: '99.00', quantity: 1 }),
  ]);
  await receive([
    line({ item_no: items.thisMonth, price: '12.50', quantity: 1 }),
    line({ item_no: items.noDate, price: '2.50', quantity: 4 }),
    line({ item_no: items.deleted, price: '7.00', quantity: 1 }),
  ]);
  await upsertItemDetails(h.dataSource, items.thisMonth, { release_date: dates.d0 });
  await upsertItemDetails(h.dataSource, items.nextMonth, { release_date: dates.d1 });
  await upsertItemDetails(h.dataSource, items.lastMonth, { release_date: dates.dprev });
  await upsertItemDetails(h.dataSource, items.noDate, { release_date: null });
  await upsertItemDetails(h.dataSource, items.deleted, { release_date: dates.d1 });
  await h.http().delete('/api/delete-item/').set(auth(h.admin)).send({ item_no: items.deleted }).expect(200);
  return { months: [dates.m0, dates.m1, dates.m2], lastMonth: dates.prev, items };
}
