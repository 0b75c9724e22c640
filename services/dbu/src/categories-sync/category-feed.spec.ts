import { CategoryFeedError, parseCategoryFeed } from './category-feed';

const summary = (body: string, type?: string) =>
  parseCategoryFeed(body, type).map((n) => `${n.externalId}:${n.name}<${n.parentExternalId ?? '-'}`);

describe('parseCategoryFeed', () => {
  it('reads a nested JSON tree (also wrapped in {"categories": [...]})', () => {
    const tree = [
      {
        id: 10,
        name: 'Figuren',
        children: [
          { id: 11, name: 'Vinyl' },
          { id: 12, name: 'Actionfiguren' },
        ],
      },
      { id: 20, name: 'Statuen' },
    ];
    const expected = ['10:Figuren<-', '11:Vinyl<10', '12:Actionfiguren<10', '20:Statuen<-'];
    expect(summary(JSON.stringify(tree))).toEqual(expected);
    expect(summary(JSON.stringify({ categories: tree }))).toEqual(expected);
  });

  it('reads a flat JSON list with parent ids in any order', () => {
    const flat = [
      { id: 'b', name: 'Vinyl', parent_id: 'a' },
      { id: 'a', name: 'Figuren', parent_id: null },
    ];
    expect(summary(JSON.stringify(flat))).toEqual(['a:Figuren<-', 'b:Vinyl<a']);
  });

  it('reads a JSON list of paths, adding missing parent levels', () => {
    expect(summary(JSON.stringify([{ path: 'Figuren > Vinyl' }, { path: 'Poster' }]))).toEqual([
      'Figuren:Figuren<-',
      'Figuren > Vinyl:Vinyl<Figuren',
      'Poster:Poster<-',
    ]);
  });

  it('reads CSV with id;name;parent_id and CSV with paths', () => {
    expect(summary('id;name;parent_id\n1;Figuren;\n2;Vinyl;1\n', 'text/csv')).toEqual(['1:Figuren<-', '2:Vinyl<1']);
    expect(summary('Kategorie-ID,Pfad\n7,Figuren > Vinyl\n3,Figuren\n')).toEqual(['3:Figuren<-', '7:Vinyl<3']);
  });

  it('refuses unknown parents, cycles, duplicates and nameless entries', () => {
    expect(() => parseCategoryFeed('[{"id":1,"name":"A","parent_id":9}]')).toThrow(/unknown parent "9"/);
    expect(() => parseCategoryFeed('[{"id":1,"name":"A","parent_id":2},{"id":2,"name":"B","parent_id":1}]')).toThrow(
      /cycle/,
    );
    expect(() => parseCategoryFeed('[{"id":1,"name":"A"},{"id":1,"name":"B"}]')).toThrow(/appears twice/);
    expect(() => parseCategoryFeed('[{"id":1}]')).toThrow(CategoryFeedError);
    expect(() => parseCategoryFeed('{"x": 1}')).toThrow(/a JSON feed is a list/);
    expect(() => parseCategoryFeed('')).toThrow(/empty/);
  });
});
