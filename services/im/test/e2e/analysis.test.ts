import { seedUpcomingPayments, type UpcomingScenario } from '../factories/analysis.factory';
import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { upsertItemDetails } from '../factories/orders.factory';

describe('analysis', () => {
  let h: ImWebHarness;
  let s: UpcomingScenario;

  beforeAll(async () => {
    h = await startImWeb('im_analysis');
    s = await seedUpcomingPayments(h);
  });
  afterAll(() => h.close());

  const report = (query: Record<string, string> = {}) =>
    h.http().get('/api/analysis/upcoming-payments/').query(query).set(auth(h.admin));

  describe('GET /api/analysis/upcoming-payments/', () => {
    it('sums open pre-order lines per release month: quantity × price − discount', async () => {
      const res = await report();
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        currency: 'EUR',
        from: s.months[0],
        months: [
          { month: s.months[0], amount: '36.25', lines: 2, quantity: 3 },
          { month: s.months[1], amount: '28.50', lines: 1, quantity: 3 },
        ],
        total: { amount: '64.75', lines: 3, quantity: 6 },
        unscheduled: { amount: '10.00', lines: 1, quantity: 4 },
      });
    });

    it('answers CSV with ?format=csv', async () => {
      const res = await report({ format: 'csv' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toContain('attachment');
      expect(res.text).toBe(`month,amount,lines,quantity\r\n${s.months[0]},36.25,2,3\r\n${s.months[1]},28.50,1,3\r\n`);
    });

    it('includes earlier months with ?from=', async () => {
      const res = await report({ from: s.lastMonth });
      expect(res.body.months.map((m: { month: string }) => m.month)).toEqual([s.lastMonth, s.months[0], s.months[1]]);
      expect(res.body.months[0].amount).toBe('99.00');
    });

    it('moves a line when DBU changes its release date', async () => {
      const [row] = await h.dataSource.query(`SELECT release_date::text AS d FROM item_details WHERE item_no = $1`, [
        s.items.nextMonth,
      ]);
      const [moved] = await h.dataSource.query(`SELECT ($1::date + interval '1 month')::date::text AS d`, [row.d]);
      await upsertItemDetails(h.dataSource, s.items.nextMonth, { release_date: moved.d });
      try {
        const res = await report();
        expect(res.body.months).toEqual([
          { month: s.months[0], amount: '36.25', lines: 2, quantity: 3 },
          { month: s.months[2], amount: '28.50', lines: 1, quantity: 3 },
        ]);
      } finally {
        await upsertItemDetails(h.dataSource, s.items.nextMonth, { release_date: row.d });
      }
    });

    it('rejects a bad format or month with 400 naming the field', async () => {
      const format = await report({ format: 'xml' });
      expect(format.status).toBe(400);
      expect(format.body.errors[0].field).toBe('format');
      const from = await report({ from: '2025-13' });
      expect(from.status).toBe(400);
      expect(from.body.errors[0].field).toBe('from');
    });

    it('is admin only: 401 anonymous, 403 for a non-admin', async () => {
      await h.http().get('/api/analysis/upcoming-payments/').expect(401);
      await h.http().get('/api/analysis/upcoming-payments/').set(auth(h.user)).expect(403);
    });
  });

  describe('GET /analysis/', () => {
    it("redirects the old page's address to the admin's analysis page", async () => {
      for (const path of ['/analysis/', '/analysis']) {
        const res = await h.http().get(path);
        expect([path, res.status, res.headers.location]).toEqual([path, 302, '/admin/#/analysis']);
      }
    });

    it('no longer serves the old page with its token login or its assets', async () => {
      for (const path of ['/analysis/assets/analysis.js', '/analysis/assets/chart.umd.min.js']) {
        const res = await h.http().get(path);
        expect([path, res.status]).toEqual([path, 404]);
      }
    });
  });
});
