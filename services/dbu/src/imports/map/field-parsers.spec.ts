import { MONEY, WEIGHT } from '../../catalogue/decimal';
import {
  parseCategoryPath,
  parseEan,
  parseItemNo,
  parseLine,
  parseSourceDate,
  parseSourceDecimal,
  parseText,
  parseUrl,
} from './field-parsers';

describe('field parsers', () => {
  it('reads decimals with a decimal comma, thousands groups and a currency sign', () => {
    expect(parseSourceDecimal('12,5', ',', MONEY)).toEqual({ ok: true, value: '12.50' });
    expect(parseSourceDecimal('1.234,56 €', ',', MONEY)).toEqual({ ok: true, value: '1234.56' });
    expect(parseSourceDecimal(' 7 ', ',', MONEY)).toEqual({ ok: true, value: '7.00' });
    expect(parseSourceDecimal('0,534', ',', WEIGHT)).toEqual({ ok: true, value: '0.534' });
    expect(parseSourceDecimal('', ',', MONEY)).toEqual({ ok: true, value: null });
  });

  it('reads decimals with a decimal point', () => {
    expect(parseSourceDecimal('1,234.5', '.', MONEY)).toEqual({ ok: true, value: '1234.50' });
    expect(parseSourceDecimal('EUR 3.99', '.', MONEY)).toEqual({ ok: true, value: '3.99' });
  });

  it('refuses decimals it would have to guess or round', () => {
    expect(parseSourceDecimal('12.50', ',', MONEY)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/decimal comma/),
    });
    expect(parseSourceDecimal('12,345', ',', MONEY)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/2 decimal places/),
    });
    expect(parseSourceDecimal('-3,00', ',', MONEY)).toMatchObject({ ok: false, reason: 'must not be negative' });
    expect(parseSourceDecimal('abc', ',', MONEY)).toMatchObject({ ok: false });
    expect(parseSourceDecimal('12,3,4', ',', MONEY)).toMatchObject({ ok: false });
  });

  it('reads dates in the profile format and always ISO', () => {
    expect(parseSourceDate('19.06.2024', 'DD.MM.YYYY')).toEqual({ ok: true, value: '2024-06-19' });
    expect(parseSourceDate('1.2.2025', 'DD.MM.YYYY')).toEqual({ ok: true, value: '2025-02-01' });
    expect(parseSourceDate('2025-02-01', 'DD.MM.YYYY')).toEqual({ ok: true, value: '2025-02-01' });
    expect(parseSourceDate('02/01/2025', 'MM/DD/YYYY')).toEqual({ ok: true, value: '2025-02-01' });
    expect(parseSourceDate('02/01/2025', 'DD/MM/YYYY')).toEqual({ ok: true, value: '2025-01-02' });
  });

  it('reads Excel day numbers of XLSX cells, refusing numbers that are no plausible date', () => {
    expect(parseSourceDate('45809', 'DD.MM.YYYY', true)).toEqual({ ok: true, value: '2025-06-01' });
    expect(parseSourceDate('45809,5', 'DD.MM.YYYY', true)).toEqual({ ok: true, value: '2025-06-01' });
    expect(parseSourceDate('2025', 'DD.MM.YYYY', true)).toMatchObject({ ok: false });
    expect(parseSourceDate('45809', 'DD.MM.YYYY')).toMatchObject({ ok: false });
    expect(parseSourceDate('01.06.2025', 'DD.MM.YYYY', true)).toEqual({ ok: true, value: '2025-06-01' });
  });

  it('refuses impossible and foreign dates', () => {
    expect(parseSourceDate('30.02.2025', 'DD.MM.YYYY')).toEqual({ ok: false, reason: 'is not a calendar date' });
    expect(parseSourceDate('2025/02/01', 'DD.MM.YYYY')).toMatchObject({ ok: false });
    expect(parseSourceDate('Q3 2025', 'DD.MM.YYYY')).toMatchObject({ ok: false });
  });

  it('checks EAN check digits and explains scientific notation', () => {
    expect(parseEan('4008301661315')).toEqual({ ok: true, value: '4008301661315' });
    expect(parseEan('4008301661316')).toEqual({ ok: false, reason: 'has a wrong check digit' });
    expect(parseEan('4,0083E+12')).toMatchObject({ ok: false, reason: expect.stringMatching(/scientific/) });
    expect(parseEan('12345')).toMatchObject({ ok: false, reason: expect.stringMatching(/digits/) });
    expect(parseEan('')).toEqual({ ok: true, value: null });
  });

  it('requires an item number the API can address', () => {
    expect(parseItemNo(' PJS-1 ')).toEqual({ ok: true, value: 'PJS-1' });
    expect(parseItemNo('')).toEqual({ ok: false, reason: 'item number is missing' });
    expect(parseItemNo('A/B')).toMatchObject({ ok: false });
  });

  it('normalises text, URLs and category paths', () => {
    expect(parseLine(' Star\r\nWars  Figur ', 500)).toEqual({ ok: true, value: 'Star Wars Figur' });
    expect(parseLine('x'.repeat(6), 5)).toMatchObject({ ok: false });
    expect(parseText('a\r\nb\u0000 ')).toEqual({ ok: true, value: 'a\nb' });
    expect(parseUrl('ftp://x/y')).toMatchObject({ ok: false });
    expect(parseUrl('https://user:pw@img.example.test/p.jpg')).toMatchObject({ ok: false });
    expect(parseUrl('https://img.example.test/p/1.jpg')).toEqual({
      ok: true,
      value: 'https://img.example.test/p/1.jpg',
    });
    expect(parseCategoryPath('Figuren>  Vinyl ')).toEqual({ ok: true, value: 'Figuren > Vinyl' });
    expect(parseCategoryPath('A » B | C')).toEqual({ ok: true, value: 'A > B > C' });
  });
});
