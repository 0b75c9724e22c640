import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOGUE_HEADER, catalogueLines, writeCatalogue } from './catalogue-generator';

const eanValid = (ean: string) =>
  /^\d{13}$/.test(ean) &&
  [...ean].reduce((sum, digit, i) => sum + Number(digit) * (i === 12 ? 1 : i % 2 ? 3 : 1), 0) % 10 === 0;

describe('catalogue generator', () => {
  it('gives the same rows for the same seed, and a longer file starts with the shorter one', () => {
    const short = [...catalogueLines(50, 3)];
    const long = [...catalogueLines(80, 3)];
    expect(long.slice(0, 50)).toEqual(short);
    expect([...catalogueLines(50, 4)]).not.toEqual(short);
  });

  it('writes German-style rows: 12 fields, decimal commas, dates, valid EANs, quoted descriptions', () => {
    for (const line of catalogueLines(200)) {
      const quote = line.indexOf('"');
      const description = line.slice(quote);
      const [itemNo, ean, , , , , ek, uvp, date, weight, url, rest] = line.slice(0, quote).split(';');
      expect(rest).toBe('');
      expect(itemNo).toMatch(/^PJS-\d{7}$/);
      expect(eanValid(ean)).toBe(true);
      expect(ek).toMatch(/^\d+,\d{2}$/);
      expect(Number(uvp.replace(',', '.'))).toBeGreaterThan(Number(ek.replace(',', '.')));
      expect(date).toMatch(/^\d{2}\.\d{2}\.20(24|25|26|27)$/);
      expect(weight).toMatch(/^\d+,\d{3}$/);
      expect(url).toMatch(/^https:\/\/img\.example\.test\/p\/\d+\.jpg$/);
      expect(description).toMatch(/^"Offizielles Lizenzprodukt ""[^"]+""; /);
    }
  });

  it('writes UTF-8 or Latin-1 files with the header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalogue-'));
    await writeCatalogue(join(dir, 'u.csv'), 20, { seed: 1 });
    await writeCatalogue(join(dir, 'l.csv'), 20, { seed: 1, encoding: 'latin1' });
    const utf8 = readFileSync(join(dir, 'u.csv'), 'utf8');
    expect(utf8.split('\n')[0]).toBe(CATALOGUE_HEADER);
    expect(utf8.trimEnd().split('\n')).toHaveLength(21);
    expect(readFileSync(join(dir, 'l.csv'), 'latin1')).toBe(utf8);
  });
});
