import { readWorkbookMap, relsPathOf, resolveTarget, type PartReader } from './workbook-map';

/** A zip container as a map of part names to texts. */
function parts(files: Record<string, string>): PartReader {
  const byName = new Map(Object.entries(files).map(([name, text]) => [name.toLowerCase(), text]));
  return {
    readText: async (part) => byName.get(part.toLowerCase()),
    has: (part) => byName.has(part.toLowerCase()),
  };
}

const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const rels = (...items: [string, string, string][]) =>
  `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${items
    .map(([id, type, target]) => `<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`)
    .join('')}</Relationships>`;

describe(readWorkbookMap.name, () => {
  it('lists worksheets in workbook order through their relationships, leaving chart sheets out', async () => {
    const map = await readWorkbookMap(
      parts({
        '_rels/.rels': rels(['rId1', 'officeDocument', 'xl/workbook.xml']),
        'xl/workbook.xml':
          `<workbook xmlns:r="${REL}"><sheets>` +
          '<sheet name="Info &amp; Hilfe" sheetId="3" r:id="rId9"/>' +
          '<sheet name="Diagramm" sheetId="2" r:id="rId2"/>' +
          '<sheet name="Artikel" sheetId="1" r:id="rId1"/>' +
          '</sheets></workbook>',
        'xl/_rels/workbook.xml.rels': rels(
          ['rId1', 'worksheet', 'worksheets/sheet1.xml'],
          ['rId2', 'chartsheet', 'chartsheets/sheet1.xml'],
          ['rId9', 'worksheet', '/xl/worksheets/Info%20Blatt.xml'],
          ['rId4', 'sharedStrings', 'sharedStrings.xml'],
        ),
      }),
    );
    expect(map).toEqual({
      sheets: [
        { name: 'Info & Hilfe', part: 'xl/worksheets/Info Blatt.xml' },
        { name: 'Artikel', part: 'xl/worksheets/sheet1.xml' },
      ],
      sharedStringsPart: 'xl/sharedStrings.xml',
    });
  });

  it('follows a workbook part that is not xl/workbook.xml, with any prefix for the relationship id', async () => {
    const map = await readWorkbookMap(
      parts({
        '_rels/.rels': rels(['R1', 'officeDocument', '/book/main.xml']),
        'book/main.xml':
          '<x:workbook xmlns:x="urn:main" xmlns:rel="urn:rel"><x:sheets><x:sheet name="Daten" rel:id="a"/></x:sheets></x:workbook>',
        'book/_rels/main.xml.rels': rels(['a', 'worksheet', '../data/d.xml']),
        'book/sharedStrings.xml': '<sst/>',
      }),
    );
    expect(map).toEqual({
      sheets: [{ name: 'Daten', part: 'data/d.xml' }],
      sharedStringsPart: 'book/sharedStrings.xml',
    });
  });

  it('falls back to xl/workbook.xml, and answers undefined for a zip that holds no workbook', async () => {
    const workbook = `<workbook xmlns:r="${REL}"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>`;
    const relsXml = rels(['rId1', 'worksheet', 'worksheets/sheet1.xml']);
    expect(
      await readWorkbookMap(parts({ 'xl/workbook.xml': workbook, 'xl/_rels/workbook.xml.rels': relsXml })),
    ).toEqual({
      sheets: [{ name: 'S', part: 'xl/worksheets/sheet1.xml' }],
      sharedStringsPart: undefined,
    });
    expect(await readWorkbookMap(parts({ 'word/document.xml': '<w:document/>' }))).toBeUndefined();
  });
});

describe(resolveTarget.name, () => {
  it('resolves relative, absolute and percent-encoded targets to part names', () => {
    expect(resolveTarget('xl/workbook.xml', 'worksheets/sheet2.xml')).toBe('xl/worksheets/sheet2.xml');
    expect(resolveTarget('xl/workbook.xml', '/xl/worksheets/sheet2.xml')).toBe('xl/worksheets/sheet2.xml');
    expect(resolveTarget('xl/workbook.xml', './worksheets/../worksheets/a%20b.xml')).toBe('xl/worksheets/a b.xml');
    expect(resolveTarget('', 'xl/workbook.xml')).toBe('xl/workbook.xml');
    expect(resolveTarget('xl/workbook.xml', '100%.xml')).toBe('xl/100%.xml');
  });

  it('names the relationships part of a part', () => {
    expect(relsPathOf('xl/workbook.xml')).toBe('xl/_rels/workbook.xml.rels');
  });
});
