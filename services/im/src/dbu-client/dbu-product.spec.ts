import { isDbuPage, parseDbuProduct } from './dbu-product';

describe('parseDbuProduct', () => {
  it('reads names from objects or strings and keeps decimals exact', () => {
    expect(
      parseDbuProduct({
        item_no: 'X1',
        title: 'Figure',
        license: 'Marvel',
        category: { name: 'Figures', path: 'Toys/Figures' },
        release_date: '2026-05-01T00:00:00Z',
        rrp: '0.10',
        image_url: 'http://img/x1.jpg',
        gpsr: { complete: false },
      }),
    ).toMatchObject({
      license: 'Marvel',
      category: 'Figures',
      release_date: '2026-05-01',
      rrp: '0.10',
      image_url: 'http://img/x1.jpg',
      gpsr_complete: false,
    });
  });

  it('turns absent or malformed optional fields into null', () => {
    expect(parseDbuProduct({ item_no: 7, title: 'T', rrp: 'abc', release_date: 'soon', license: null })).toEqual({
      item_no: '7',
      title: 'T',
      ean: null,
      manufacturer: null,
      license: null,
      category: null,
      release_date: null,
      rrp: null,
      image_url: null,
      photo_urls: [],
      gpsr_complete: null,
      updated_at: null,
    });
  });

  it('rejects records without item number or title', () => {
    expect(parseDbuProduct({ title: 'no number' })).toBeUndefined();
    expect(parseDbuProduct({ item_no: 'X', title: '' })).toBeUndefined();
    expect(parseDbuProduct('X')).toBeUndefined();
  });

  it('recognises DRF pages', () => {
    expect(isDbuPage({ count: 0, next: null, previous: null, results: [] })).toBe(true);
    expect(isDbuPage({ results: {} })).toBe(false);
    expect(isDbuPage([])).toBe(false);
  });
});
