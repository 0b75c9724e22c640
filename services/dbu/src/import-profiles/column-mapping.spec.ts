import {
  CATALOGUE_HEADER_VARIANTS,
  REQUIRED_CATALOGUE_FIELDS,
  headerKey,
  mapColumns,
  type CatalogueField,
} from './column-mapping';

const map = (headers: string[], explicit: Record<string, CatalogueField | null> = {}) =>
  mapColumns(headers, CATALOGUE_HEADER_VARIANTS, REQUIRED_CATALOGUE_FIELDS, explicit);

describe('mapColumns', () => {
  it('suggests fields for the German headers of the wholesaler export', () => {
    const headers = [
      'Artikelnummer',
      'EAN',
      'Bezeichnung',
      'Hersteller',
      'Lizenz',
      'Kategorie',
      'EK-Preis',
      'UVP',
      'Erscheinungsdatum',
      'Gewicht (kg)',
      'Bild-URL',
      'Beschreibung',
    ];
    const result = map(headers);
    expect(result.columns.map((c) => c.field)).toEqual([
      'item_no',
      'ean',
      'title',
      'manufacturer',
      'license',
      'category',
      'purchase_price',
      'rrp',
      'release_date',
      'weight_kg',
      'image_url',
      'description',
    ]);
    expect(result.unmapped).toEqual([]);
    expect(result.missingRequired).toEqual([]);
  });

  it('suggests fields for English headers and reports unknown columns as unmapped', () => {
    const result = map(['SKU', 'Product Name', 'Brand', 'Retail Price', 'Stock', 'Release Date']);
    expect(Object.fromEntries(result.columns.map((c) => [c.header, c.field]))).toEqual({
      SKU: 'item_no',
      'Product Name': 'title',
      Brand: 'manufacturer',
      'Retail Price': 'rrp',
      'Release Date': 'release_date',
    });
    expect(result.unmapped).toEqual([{ index: 4, header: 'Stock', reason: 'no field matches this header' }]);
  });

  it('lets the profile win, ignore columns on purpose, and reports a second candidate', () => {
    const result = map(['Nr', 'Titel', 'Bezeichnung', 'Intern'], { Nr: 'item_no', intern: null });
    expect(result.columns).toEqual([
      { index: 0, header: 'Nr', field: 'item_no', how: 'profile' },
      { index: 1, header: 'Titel', field: 'title', how: 'suggested' },
    ]);
    expect(result.unmapped).toEqual([
      { index: 2, header: 'Bezeichnung', reason: 'title is already read from column "Titel"' },
      { index: 3, header: 'Intern', reason: 'ignored by the profile' },
    ]);
  });

  it('matches headers that start with a variant and names missing required fields', () => {
    const result = map(['EK-Preis netto', 'Gewicht in Gramm', 'Artikelbeschreibung kurz']);
    expect(result.columns.map((c) => c.field)).toEqual(['purchase_price', 'weight_kg']);
    expect(result.unmapped.map((c) => c.header)).toEqual(['Artikelbeschreibung kurz']);
    expect(result.missingRequired).toEqual(['item_no', 'title']);
  });

  it('compares headers without case, umlauts and punctuation', () => {
    expect(headerKey('Händler-Preis (€)')).toBe('haendlerpreis');
    expect(headerKey('Gewicht (kg)')).toBe('gewichtkg');
  });
});
