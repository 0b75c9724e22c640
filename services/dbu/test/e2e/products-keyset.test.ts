import { createLicense, createManufacturer, createProduct } from '../factories/catalogue.factory';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

interface CursorPage {
  count: number;
  count_is_estimate: boolean;
  next: string | null;
  previous: string | null;
  next_cursor: string | null;
  previous_cursor: string | null;
  results: { item_no: string; title: string; updated_at: string }[];
}

const ORDERINGS = ['item_no', '-item_no', 'title', '-title', 'updated_at', '-updated_at'] as const;
/** The SQL order of each ordering: what the keyset walk must reproduce (the database's collation). */
const SQL_ORDER: Record<(typeof ORDERINGS)[number], string> = {
  item_no: 'item_no',
  '-item_no': 'item_no DESC',
  title: 'title, item_no',
  '-title': 'title DESC, item_no DESC',
  updated_at: 'updated_at, item_no',
  '-updated_at': 'updated_at DESC, item_no DESC',
};

describe('GET /api/products?cursor= (keyset paging, dbu-web)', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let auth: { Authorization: string };
  let marvel: number;

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_products_keyset');
    web = await ctx.start();
    auth = tokenHeader(ctx.user.token);
    const ds = ctx.dataSource;
    marvel = await createLicense(ds, 'Marvel');
    const maker = await createManufacturer(ds, { name: 'Hasbro' });
    // Ties on purpose: 4 titles and 3 timestamps over 23 products, so item_no breaks most ties.
    const titles = ['Helmet', 'Figure', 'Helmet Replica', 'Ñandú Plush'];
    const times = ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000001Z', '2024-03-01T12:00:00Z'];
    for (let i = 0; i < 23; i += 1) {
      await createProduct(ds, {
        item_no: `K-${String((i * 7) % 23).padStart(2, '0')}`,
        title: titles[i % titles.length],
        updated_at: times[i % times.length],
        license_id: i % 2 === 0 ? marvel : null,
        manufacturer_id: i % 3 === 0 ? maker : null,
      });
    }
    await createProduct(ds, { item_no: 'K-DEL-1', title: 'Helmet', is_deleted: true, updated_at: times[0] });
    await createProduct(ds, { item_no: 'K-DEL-2', title: 'Figure', is_deleted: true, updated_at: times[2] });
  });

  afterAll(async () => {
    await ctx.close();
  });

  const get = (query: string) => web.http().get(`/api/products/${query}`).set(auth);
  const ids = (page: CursorPage) => page.results.map((r) => r.item_no);

  /** The item numbers in the database's own order for `where`: the reference of every walk. */
  async function expected(ordering: (typeof ORDERINGS)[number], where = 'NOT is_deleted'): Promise<string[]> {
    const rows = await ctx.dataSource.query<{ item_no: string }[]>(
      `SELECT item_no FROM products WHERE ${where} ORDER BY ${SQL_ORDER[ordering]}`,
    );
    return rows.map((r) => r.item_no);
  }

  /** Follows `next_cursor` from the first page; answers every page. */
  async function walkForward(query: string): Promise<CursorPage[]> {
    const pages: CursorPage[] = [];
    let cursor = '';
    for (let guard = 0; guard < 100; guard += 1) {
      const page = (await get(`?${query}&cursor=${cursor}`).expect(200)).body as CursorPage;
      pages.push(page);
      if (page.next_cursor === null) return pages;
      cursor = page.next_cursor;
    }
    throw new Error('the walk did not end');
  }

  it.each(ORDERINGS)('walks every row exactly once forward and back, ordering=%s', async (ordering) => {
    const reference = await expected(ordering);
    const pages = await walkForward(`ordering=${ordering}&page_size=5`);
    const forward = pages.flatMap(ids);
    expect(forward).toEqual(reference);
    expect(pages.map((p) => p.results.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages[0].previous_cursor).toBeNull();

    // Back from the last page through previous_cursor: the same rows in reverse page order.
    const back: string[][] = [ids(pages[pages.length - 1])];
    let cursor = pages[pages.length - 1].previous_cursor;
    while (cursor !== null) {
      const page = (await get(`?ordering=${ordering}&page_size=5&cursor=${cursor}`).expect(200)).body as CursorPage;
      back.unshift(ids(page));
      cursor = page.previous_cursor;
    }
    expect(back.flat()).toEqual(reference);
  });

  it('answers the page shape with cursors, links that carry them, and an exact count when small', async () => {
    const res = await get('?ordering=title&page_size=10&page=3&cursor=').expect(200);
    const page = res.body as CursorPage;
    expect(Object.keys(page)).toEqual([
      'count',
      'count_is_estimate',
      'next',
      'previous',
      'next_cursor',
      'previous_cursor',
      'results',
    ]);
    expect(page).toMatchObject({ count: 23, count_is_estimate: false, previous: null, previous_cursor: null });
    expect(ids(page)).toEqual((await expected('title')).slice(0, 10));
    const next = new URL(page.next as string);
    expect(next.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(next.searchParams.get('cursor')).toBe(page.next_cursor);
    expect(next.searchParams.get('ordering')).toBe('title');
    expect(next.searchParams.has('page')).toBe(false);
    const second = (
      await web
        .http()
        .get(next.pathname + next.search)
        .set(auth)
        .expect(200)
    ).body as CursorPage;
    expect(ids(second)).toEqual((await expected('title')).slice(10, 20));
    const previous = new URL(second.previous as string);
    const back = (
      await web
        .http()
        .get(previous.pathname + previous.search)
        .set(auth)
        .expect(200)
    ).body as CursorPage;
    expect(ids(back)).toEqual(ids(page));
  });

  it.each([
    ['license=Marvel', `license_id = (SELECT id FROM licenses WHERE name = 'Marvel') AND NOT is_deleted`],
    ['manufacturer=hasbro&ordering=-updated_at', `manufacturer_id IS NOT NULL AND NOT is_deleted`],
    ['search=helmet&ordering=title', `title ILIKE '%helmet%' AND NOT is_deleted`],
    ['search=helmet&include_deleted=true&ordering=-title', `title ILIKE '%helmet%'`],
    ['include_deleted=true&ordering=updated_at', 'true'],
    [
      'complete=false&ordering=title',
      `(manufacturer_id IS NULL OR manufacturer_id IN (SELECT id FROM manufacturers WHERE NOT gpsr_complete)) AND NOT is_deleted`,
    ],
    ['updated_since=2024-02-01&ordering=item_no', `updated_at >= '2024-02-01' AND NOT is_deleted`],
  ])('keeps the filters with the cursor: %s', async (query, where) => {
    const ordering = (new URLSearchParams(query).get('ordering') ?? 'item_no') as (typeof ORDERINGS)[number];
    const reference = await expected(ordering, where);
    expect(reference.length).toBeGreaterThan(0);
    const pages = await walkForward(`${query}&page_size=3`);
    expect(pages.flatMap(ids)).toEqual(reference);
    expect(pages[0].count).toBe(reference.length);
  });

  it('pages an item_no batch with the cursor', async () => {
    const pages = await walkForward('item_no=K-05,K-01,K-DEL-1,K-03,NOPE&page_size=2');
    expect(pages.flatMap(ids)).toEqual(['K-01', 'K-03', 'K-05']);
  });

  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it.each([
    ['garbled text', 'not a cursor!'],
    ['base64url of no JSON', Buffer.from('v1:12:34').toString('base64url')],
    ['a JSON array', encode(['Helmet', 'K-01'])],
    ['an unknown ordering', encode({ o: 'price', d: 'a', v: '1', k: 'K-01' })],
    ['an unknown direction', encode({ o: 'title', d: 'x', v: 'Helmet', k: 'K-01' })],
    ['a missing item number', encode({ o: 'title', d: 'a', v: 'Helmet' })],
    ['an extra field', encode({ o: 'title', d: 'a', v: 'Helmet', k: 'K-01', x: 1 })],
    ['a number as title', encode({ o: 'title', d: 'a', v: 5, k: 'K-01' })],
    ['a NUL in the title', encode({ o: 'title', d: 'a', v: 'Hel\u0000met', k: 'K-01' })],
    ['a lone surrogate', encode({ o: 'title', d: 'a', v: 'Hel\ud800met', k: 'K-01' })],
    ['a title too long', encode({ o: 'title', d: 'a', v: 'x'.repeat(501), k: 'K-01' })],
    ['an impossible date', encode({ o: 'updated_at', d: 'a', v: '2024-02-30T00:00:00.000000Z', k: 'K-01' })],
    ['year zero', encode({ o: 'updated_at', d: 'a', v: '0000-01-01T00:00:00.000000Z', k: 'K-01' })],
    ['a date without microseconds', encode({ o: 'updated_at', d: 'a', v: '2024-01-01T00:00:00Z', k: 'K-01' })],
    ['a value for item_no', encode({ o: 'item_no', d: 'a', v: 'x', k: 'K-01' })],
    [
      'another ordering (title cursor, item_no list)',
      encode({ o: 'title', d: 'a', v: 'Helmet', k: 'K-01' }),
      'item_no',
    ],
    ['too long', 'A'.repeat(3001)],
  ])('rejects a cursor that is %s with 400 naming cursor', async (_what, cursor, ordering = 'title') => {
    const path = `?ordering=${ordering}&cursor=${encodeURIComponent(cursor)}`;
    const res = await get(path).expect(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    expect(res.body.message).toMatch(/^cursor: /);
  });

  it('refuses a cursor the other way round (an item_no cursor on the title list)', async () => {
    const { body } = await get('?ordering=item_no&page_size=2&cursor=').expect(200);
    const res = await get(`?ordering=title&cursor=${(body as CursorPage).next_cursor}`).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });

  it.each(['price', 'TITLE', '-', '--title', 'title,item_no', ''])(
    'rejects ordering=%s with 400 naming ordering',
    async (ordering) => {
      for (const query of [`?ordering=${ordering}`, `?ordering=${ordering}&cursor=`]) {
        const res = await get(query).expect(400);
        expect(res.body.code).toBe('validation_failed');
        expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'ordering' })]));
        expect(res.body.message).toMatch(/^ordering: /);
      }
    },
  );

  describe('without cursor (existing callers)', () => {
    it('answers the page-number shape only, with the exact count and page links', async () => {
      const res = await get('?page_size=10&page=2').expect(200);
      expect(Object.keys(res.body)).toEqual(['count', 'next', 'previous', 'results']);
      expect(res.body.count).toBe(23);
      expect(res.body.results.map((r: { item_no: string }) => r.item_no)).toEqual(
        (await expected('item_no')).slice(10, 20),
      );
      expect(res.body.next).toMatch(/\/api\/products\/\?page_size=10&page=3$/);
      expect(res.body.previous).toMatch(/\/api\/products\/\?page_size=10$/);
    });

    it.each(ORDERINGS)('sorts page numbers by ordering=%s too', async (ordering) => {
      const first = await get(`?ordering=${ordering}&page_size=20`).expect(200);
      const second = await get(`?ordering=${ordering}&page_size=20&page=2`).expect(200);
      const rows = [...first.body.results, ...second.body.results].map((r: { item_no: string }) => r.item_no);
      expect(rows).toEqual(await expected(ordering));
      expect(first.body.next).toMatch(new RegExp(`ordering=${encodeURIComponent(ordering)}&page_size=20&page=2$`));
    });

    it('sorts a search by title with page numbers (the selective plan)', async () => {
      const res = await get('?search=helmet&ordering=-title&page_size=100').expect(200);
      expect(res.body.results.map((r: { item_no: string }) => r.item_no)).toEqual(
        await expected('-title', `title ILIKE '%helmet%' AND NOT is_deleted`),
      );
    });
  });

  it('answers the planner estimate for a large result and says so', async () => {
    await ctx.dataSource.query(
      `INSERT INTO products (item_no, title, license_id, updated_at)
       SELECT 'BULK-' || lpad(g::text, 5, '0'), 'Bulk ' || (g % 7), $1::int, now() - (g % 5) * interval '1 day'
         FROM generate_series(1, 12000) g`,
      [marvel],
    );
    await ctx.dataSource.query('ANALYZE products');
    const page = (await get('?cursor=&page_size=5').expect(200)).body as CursorPage;
    expect(page.count_is_estimate).toBe(true);
    // An estimate: near the truth, never asserted exact.
    expect(page.count).toBeGreaterThan(8000);
    expect(page.count).toBeLessThan(20000);
    // The page-number list still counts exactly.
    expect((await get('?page_size=1').expect(200)).body.count).toBe(12023);
  });

  it('walks a filter with many matches, every row once', async () => {
    // 12012 licensed rows; whether they are collected or walked depends on the planner's estimate.
    const where = `license_id = ${marvel} AND NOT is_deleted`;
    for (const ordering of ['-title', 'updated_at'] as const) {
      const pages = await walkForward(`license=Marvel&ordering=${ordering}&page_size=500`);
      expect(pages[0].count_is_estimate).toBe(true);
      expect(pages.flatMap(ids)).toEqual(await expected(ordering, where));
    }
    // A filter the planner knows matches nearly everything: walked along the ordering's index.
    const walked = await walkForward('updated_since=2000-01-01&ordering=title&page_size=500');
    expect(walked[0].count).toBeGreaterThan(10_000);
    expect(walked.flatMap(ids)).toEqual(await expected('title', `updated_at >= '2000-01-01' AND NOT is_deleted`));
  });
});
