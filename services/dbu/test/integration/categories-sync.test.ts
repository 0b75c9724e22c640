import { createSafeFetch } from '@pjs/egress';
import { CategoryFeedError } from '../../src/categories-sync/category-feed';
import { CategoriesSyncModule } from '../../src/categories-sync/categories-sync.module';
import { CategoriesSyncService } from '../../src/categories-sync/categories-sync.service';
import { FakeWholesaler } from '../fakes/wholesaler.fake';
import {
  HEADER,
  createDbuTestContext,
  createModuleContext,
  csvLine,
  importRun,
  testConfig,
  writeFixture,
  type DbuTestContext,
} from './support/dbu-test-context';

describe('category sync against the fake wholesaler', () => {
  let ctx: DbuTestContext;
  let fake: FakeWholesaler;
  let service: CategoriesSyncService;

  const tree = () =>
    ctx.dataSource.query(
      `SELECT c.path, c.external_id, p.path AS parent, c.position FROM categories c
         LEFT JOIN categories p ON p.id = c.parent_id ORDER BY c.path`,
    );

  beforeAll(async () => {
    ctx = await createDbuTestContext('categories');
    fake = new FakeWholesaler();
    await fake.start();
    service = new CategoriesSyncService(
      ctx.dataSource,
      ctx.logger,
      { url: fake.url('/categories'), timeoutMs: 2000 },
      createSafeFetch({ allowedHosts: ['127.0.0.1'] }),
    );
  });

  afterAll(async () => {
    await fake.stop();
    await ctx.close();
  });

  it('upserts a nested JSON tree and adopts categories an import created, by path', async () => {
    // An import creates "Figuren > Vinyl" (no external id) from its product rows.
    const path = await writeFixture(
      ctx,
      'cat.csv',
      [HEADER, csvLine({ item_no: 'K-1', title: 'x', category: 'Figuren > Vinyl' })].join('\n'),
    );
    await importRun(ctx, path);
    fake.categories = {
      contentType: 'application/json',
      status: 200,
      body: JSON.stringify({
        categories: [
          {
            id: 'F',
            name: 'Figuren',
            children: [
              { id: 'FV', name: 'Vinyl' },
              { id: 'FA', name: 'Actionfiguren' },
            ],
          },
          { id: 'S', name: 'Statuen' },
        ],
      }),
    };
    expect(await service.sync()).toEqual({ total: 4, created: 2, updated: 2, unchanged: 0, repathed: 0 });
    expect(await tree()).toEqual([
      { path: 'Figuren', external_id: 'F', parent: null, position: 0 },
      { path: 'Figuren > Actionfiguren', external_id: 'FA', parent: 'Figuren', position: 1 },
      { path: 'Figuren > Vinyl', external_id: 'FV', parent: 'Figuren', position: 0 },
      { path: 'Statuen', external_id: 'S', parent: null, position: 1 },
    ]);
    const [product] = await ctx.dataSource.query(
      `SELECT c.external_id FROM products p JOIN categories c ON c.id = p.category_id WHERE p.item_no = 'K-1'`,
    );
    expect(product.external_id).toBe('FV');
    expect(await service.sync()).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
  });

  it('follows renames and moves from a CSV feed, re-pathing categories outside the feed', async () => {
    await ctx.dataSource.query(
      `INSERT INTO categories (name, parent_id, path) SELECT 'Chase', id, 'Figuren > Vinyl > Chase' FROM categories WHERE external_id = 'FV'`,
    );
    fake.categories = {
      contentType: 'text/csv',
      status: 200,
      body: 'id;name;parent_id\nF;Sammelfiguren;\nFV;Vinyl;F\nFA;Actionfiguren;S\nS;Statuen;\n',
    };
    expect(await service.sync()).toEqual({ total: 4, created: 0, updated: 4, unchanged: 0, repathed: 1 });
    expect((await tree()).map((r: { path: string }) => r.path)).toEqual([
      'Sammelfiguren',
      'Sammelfiguren > Vinyl',
      'Sammelfiguren > Vinyl > Chase',
      'Statuen',
      'Statuen > Actionfiguren',
    ]);
  });

  it('changes nothing when the feed is broken or unreachable', async () => {
    const before = await tree();
    fake.categories = {
      contentType: 'application/json',
      status: 200,
      body: '[{"id":"X","name":"Neu","parent_id":"nope"}]',
    };
    await expect(service.sync()).rejects.toThrow(/unknown parent "nope"/);
    fake.categories = { contentType: 'application/json', status: 500, body: 'oops' };
    await expect(service.sync()).rejects.toThrow('the category feed answered HTTP 500');
    await expect(service.sync('http://127.0.0.1:1/categories')).rejects.toThrow(/cannot reach the category feed/);
    await expect(
      new CategoriesSyncService(ctx.dataSource, ctx.logger, { timeoutMs: 100 }, createSafeFetch()).sync(),
    ).rejects.toThrow(CategoryFeedError);
    expect(await tree()).toEqual(before);
  });

  it('fetches the feed from public addresses only: not by default from loopback, nor behind a redirect', async () => {
    const before = await tree();
    fake.categories = { contentType: 'application/json', status: 200, body: '[{"id":"N","name":"Neu"}]' };
    const feed = fake.url('/categories');
    const port = new URL(feed).port;
    const hits = () => fake.hits.get('/categories') ?? 0;
    const strictApp = await createModuleContext(
      ctx,
      await testConfig(ctx, 'amqp://unused', { OUTBOUND_ALLOWED_HOSTS: '' }),
      CategoriesSyncModule,
    );
    const allowingApp = await createModuleContext(ctx, await testConfig(ctx, 'amqp://unused'), CategoriesSyncModule);
    try {
      const strict = strictApp.get(CategoriesSyncService);
      const allowing = allowingApp.get(CategoriesSyncService);
      const seen = hits();
      const refused = 'cannot reach the category feed: refused: not a public address';
      await expect(strict.sync(feed)).rejects.toThrow(refused);
      await expect(allowing.sync(`http://localhost:${port}/categories`)).rejects.toThrow(refused);
      await expect(allowing.sync(`http://[::1]:${port}/categories`)).rejects.toThrow(refused);
      const behindRedirect = `/redirect?to=${encodeURIComponent(`http://localhost:${port}/categories`)}`;
      await expect(allowing.sync(fake.url(behindRedirect))).rejects.toThrow(refused);
      await expect(allowing.sync(fake.url('/redirect-loop/0.jpg'))).rejects.toThrow('refused: too many redirects');
      expect(hits()).toBe(seen);
      expect(await tree()).toEqual(before);
    } finally {
      await strictApp.close();
      await allowingApp.close();
    }
  });
});
