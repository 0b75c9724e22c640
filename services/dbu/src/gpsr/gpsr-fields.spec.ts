import { mapColumns } from '../import-profiles/column-mapping';
import {
  GPSR_HEADER_VARIANTS,
  REQUIRED_GPSR_FIELDS,
  manufacturerMatchKey,
  parseContactUrl,
  parseCountry,
  parseEmail,
  splitAddress,
} from './gpsr-fields';

describe('GPSR fields', () => {
  it('brings spellings of one manufacturer to one key', () => {
    expect(manufacturerMatchKey('FUNKO Inc.')).toBe('funko');
    expect(manufacturerMatchKey('Funko, Inc')).toBe('funko');
    expect(manufacturerMatchKey('Hot Toys Ltd')).toBe('hot toys');
    expect(manufacturerMatchKey('Carrera Toys GmbH & Co. KG')).toBe('carrera toys');
    expect(manufacturerMatchKey('Bandai Co.')).toBe('bandai');
    expect(manufacturerMatchKey('Ltd')).toBe('ltd');
  });

  it('reads countries in German and English', () => {
    expect(parseCountry('Deutschland')).toEqual({ ok: true, value: 'DE' });
    expect(parseCountry('germany')).toEqual({ ok: true, value: 'DE' });
    expect(parseCountry('Österreich')).toEqual({ ok: true, value: 'AT' });
    expect(parseCountry('USA')).toEqual({ ok: true, value: 'US' });
    expect(parseCountry('China')).toEqual({ ok: true, value: 'CN' });
    expect(parseCountry('fr')).toEqual({ ok: true, value: 'FR' });
    expect(parseCountry('Atlantis')).toMatchObject({ ok: false });
  });

  it('splits one-field addresses', () => {
    expect(splitAddress('Musterstraße 1, 12345 Berlin, Deutschland')).toEqual({
      street: 'Musterstraße 1',
      postal_code: '12345',
      city: 'Berlin',
      country: 'DE',
    });
    expect(splitAddress('Hauptplatz 3\nA-1010 Wien\nÖsterreich')).toEqual({
      street: 'Hauptplatz 3',
      postal_code: '1010',
      city: 'Wien',
      country: 'AT',
    });
    expect(splitAddress('2802 Wetmore Ave, Everett, WA 98201, USA')).toEqual({
      street: '2802 Wetmore Ave',
      postal_code: '98201',
      city: 'Everett',
      country: 'US',
    });
    expect(splitAddress('Somewhere without numbers')).toEqual({
      street: 'Somewhere without numbers',
      postal_code: null,
      city: null,
      country: null,
    });
  });

  it('checks e-mail addresses and completes web addresses', () => {
    expect(parseEmail('mailto:info@funko.com')).toEqual({ ok: true, value: 'info@funko.com' });
    expect(parseEmail('info(at)funko.com')).toMatchObject({ ok: false });
    expect(parseContactUrl('www.funko.com')).toEqual({ ok: true, value: 'https://www.funko.com' });
    expect(parseContactUrl('not a url')).toMatchObject({ ok: false });
  });

  it('matches varying GPSR headers', () => {
    const mapping = mapColumns(
      [
        'Herstellername',
        'Anschrift',
        'E-Mail-Adresse',
        'Webseite',
        'EU-Verantwortlicher',
        'Adresse EU-Verantwortlicher',
        'Art.-Nr.',
      ],
      GPSR_HEADER_VARIANTS,
      REQUIRED_GPSR_FIELDS,
    );
    expect(mapping.columns.map((c) => c.field)).toEqual([
      'manufacturer',
      'address',
      'email',
      'contact_url',
      'eu_responsible_name',
      'eu_responsible_address',
      'item_no',
    ]);
    const english = mapColumns(
      ['Brand', 'Street', 'ZIP', 'City', 'Country', 'Contact Email'],
      GPSR_HEADER_VARIANTS,
      REQUIRED_GPSR_FIELDS,
    );
    expect(english.columns.map((c) => c.field)).toEqual([
      'manufacturer',
      'street',
      'postal_code',
      'city',
      'country',
      'email',
    ]);
  });
});
