import { assertPageExists, pageEnvelope, pageLinks, pageRequest } from './pagination';

const req = (url: string) =>
  ({ url, server: { pjsPublicBaseUrl: 'https://dbu.example' }, socket: {} }) as unknown as Parameters<
    typeof pageLinks
  >[0];

describe('pagination', () => {
  it('computes limit and offset', () => {
    expect(pageRequest(3, 20)).toEqual({ page: 3, pageSize: 20, limit: 20, offset: 40 });
    expect(pageRequest(undefined, undefined)).toEqual({ page: 1, pageSize: 50, limit: 50, offset: 0 });
    expect(pageRequest(undefined, undefined, 7).limit).toBe(7);
  });

  it('builds DRF links keeping the other parameters', () => {
    const links = pageLinks(req('/api/products/?search=x&page=2&page_size=10'), pageRequest(2, 10), 35);
    expect(links).toEqual({
      next: 'https://dbu.example/api/products/?search=x&page=3&page_size=10',
      previous: 'https://dbu.example/api/products/?search=x&page_size=10',
    });
    expect(pageLinks(req('/api/products/'), pageRequest(1, 10), 10)).toEqual({ next: null, previous: null });
  });

  it('wraps JSON results text', () => {
    expect(JSON.parse(pageEnvelope(1, { next: null, previous: 'p"q' }, '[{"a":1}]'))).toEqual({
      count: 1,
      next: null,
      previous: 'p"q',
      results: [{ a: 1 }],
    });
  });

  it('fails past the last page but not on an empty first page', () => {
    expect(() => assertPageExists(pageRequest(1, 10), 0)).not.toThrow();
    expect(() => assertPageExists(pageRequest(2, 10), 10)).toThrow('Invalid page.');
  });
});
