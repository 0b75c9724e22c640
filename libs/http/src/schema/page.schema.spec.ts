import { PUBLIC_BASE_URL, pageNumberLinks } from './page.schema';

/** A request as pageNumberLinks reads it: its URL and the app's PUBLIC_BASE_URL. */
const requestFor = (url: string) =>
  ({ url, server: { [PUBLIC_BASE_URL]: 'https://api.example.test' }, socket: {} }) as unknown as Parameters<
    typeof pageNumberLinks
  >[0];

describe(pageNumberLinks.name, () => {
  it('links the neighbouring pages on the request path and query, page 1 without `page`', () => {
    expect(
      pageNumberLinks(requestFor('/api/inventory/?page=2&page_size=10&search=x'), {
        page: 2,
        page_size: 10,
        count: 35,
      }),
    ).toEqual({
      next: 'https://api.example.test/api/inventory/?page=3&page_size=10&search=x',
      previous: 'https://api.example.test/api/inventory/?page_size=10&search=x',
    });
  });

  it('answers null past either end', () => {
    expect(pageNumberLinks(requestFor('/api/imports'), { page: 1, page_size: 20, count: 20 })).toEqual({
      next: null,
      previous: null,
    });
    expect(pageNumberLinks(requestFor('/api/imports?page=2'), { page: 2, page_size: 20, count: 21 })).toEqual({
      next: null,
      previous: 'https://api.example.test/api/imports',
    });
  });
});
