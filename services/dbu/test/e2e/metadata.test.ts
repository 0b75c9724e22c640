import { createCategory, createLicense } from '../factories/catalogue.factory';
import { DbuWebContext, tokenHeader, type WebApp } from './support/dbu-web';

describe('GET /api/categories/ and /api/licenses/ (dbu-web)', () => {
  let ctx: DbuWebContext;
  let web: WebApp;
  let auth: { Authorization: string };
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    ctx = await DbuWebContext.create('dbu_metadata');
    web = await ctx.start();
    auth = tokenHeader(ctx.user.token);
    const ds = ctx.dataSource;
    ids.toys = await createCategory(ds, { name: 'Toys', externalId: '100', position: 2 });
    ids.books = await createCategory(ds, { name: 'Books', externalId: '200', position: 1 });
    ids.figures = await createCategory(ds, { name: 'Figures', parentId: ids.toys, externalId: '110' });
    ids.statues = await createCategory(ds, { name: 'Statues', parentId: ids.figures, externalId: '111' });
    for (const name of ['Star Wars', 'Marvel', 'Harry Potter', 'DC Comics', 'Pokémon']) await createLicense(ds, name);
  });

  afterAll(async () => {
    await ctx.close();
  });

  it('answers the category tree, roots by position', async () => {
    const res = await web.http().get('/api/categories/').set(auth).expect(200);
    expect(res.body.count).toBe(4);
    expect(res.body.results).toEqual([
      { id: ids.books, name: 'Books', path: 'Books', external_id: '200', parent_id: null, children: [] },
      {
        id: ids.toys,
        name: 'Toys',
        path: 'Toys',
        external_id: '100',
        parent_id: null,
        children: [
          {
            id: ids.figures,
            name: 'Figures',
            path: 'Toys/Figures',
            external_id: '110',
            parent_id: ids.toys,
            children: [
              {
                id: ids.statues,
                name: 'Statues',
                path: 'Toys/Figures/Statues',
                external_id: '111',
                parent_id: ids.figures,
                children: [],
              },
            ],
          },
        ],
      },
    ]);
  });

  it('answers a flat list with ?flat=true, also without the trailing slash', async () => {
    const res = await web.http().get('/api/categories?flat=true').set(auth).expect(200);
    expect(res.body.count).toBe(4);
    expect(res.body.results).toContainEqual({
      id: ids.statues,
      name: 'Statues',
      path: 'Toys/Figures/Statues',
      external_id: '111',
      parent_id: ids.figures,
    });
  });

  it('answers 400 naming a bad flat and 401 anonymous', async () => {
    const res = await web.http().get('/api/categories/?flat=perhaps').set(auth).expect(400);
    expect(res.body.errors[0].field).toBe('flat');
    await web.http().get('/api/categories/').expect(401);
  });

  it('lists licenses by name, paginated', async () => {
    const res = await web.http().get('/api/licenses/?page_size=2').set(auth).expect(200);
    expect(res.body.count).toBe(5);
    expect(res.body.results.map((l: { name: string }) => l.name)).toEqual(['DC Comics', 'Harry Potter']);
    expect(res.body.next).toMatch(/\/api\/licenses\/\?page_size=2&page=2$/);
    expect(res.body.previous).toBeNull();
    expect(res.body.results[0]).toEqual({ id: expect.any(Number), name: 'DC Comics', created_at: expect.any(String) });
    const last = await web.http().get('/api/licenses?page_size=2&page=3').set(auth).expect(200);
    expect(last.body.results.map((l: { name: string }) => l.name)).toEqual(['Star Wars']);
    await web.http().get('/api/licenses/?page=4&page_size=2').set(auth).expect(404);
  });

  it('searches licenses by name', async () => {
    const res = await web.http().get('/api/licenses/?search=poké').set(auth).expect(200);
    expect(res.body.results.map((l: { name: string }) => l.name)).toEqual(['Pokémon']);
  });

  it('answers 400 naming page_size, 401 anonymous, and refuses writes', async () => {
    const res = await web.http().get('/api/licenses/?page_size=1000').set(auth).expect(400);
    expect(res.body.errors[0].field).toBe('page_size');
    await web.http().get('/api/licenses/').expect(401);
    await web.http().post('/api/licenses/').set(tokenHeader(ctx.admin.token)).send({ name: 'x' }).expect(404);
    await web.http().delete('/api/categories/').set(tokenHeader(ctx.admin.token)).expect(404);
  });
});
