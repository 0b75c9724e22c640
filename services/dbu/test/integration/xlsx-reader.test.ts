import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stream as excelStream, type CellValue } from 'exceljs';
import JSZip from 'jszip';
import { collectRows, openRowSource, type RowSourceSettings, type SourceRow } from '../../src/imports/read/row-source';
import {
  HEADER,
  createDbuTestContext,
  ean13,
  importRun,
  writeFixture,
  type DbuTestContext,
} from './support/dbu-test-context';

let dir: string;
let scratch: string;
const exceljsFile = (useSharedStrings: boolean) => join(dir, `exceljs-${useSharedStrings ? 'shared' : 'inline'}.xlsx`);

function settings(sheetName: string | null = null, decimalSeparator: ',' | '.' = ','): RowSourceSettings {
  return { delimiter: 'auto', encoding: 'auto', sheetName, decimalSeparator, tmpDir: scratch };
}

async function readRows(path: string, options = settings()): Promise<SourceRow[]> {
  const source = await openRowSource(path, options);
  const rows: SourceRow[] = [];
  for await (const batch of source.rows as AsyncIterable<SourceRow[]>) rows.push(...batch);
  return rows;
}

/**
 * The reader this one replaced (exceljs' streaming WorkbookReader, as row-source.ts used it), kept
 * here as the reference: on files exceljs writes, both must give the same rows.
 */
async function readRowsWithExceljs(path: string, sheetName: string | null): Promise<SourceRow[]> {
  const text = (value: CellValue | undefined, strings: string[]): string => {
    if (value === null || value === undefined) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value).replace('.', ',');
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    if ('sharedString' in value) return strings[Number(value.sharedString)] ?? '';
    if ('richText' in value) return value.richText.map((t) => t.text).join('');
    if ('result' in value) return text(value.result, strings);
    if ('text' in value) return text(value.text, strings);
    return '';
  };
  const reader = new excelStream.xlsx.WorkbookReader(createReadStream(path), {
    sharedStrings: 'emit',
    styles: 'ignore',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  type Item =
    | { eventType: string; value: AsyncIterable<{ number: number; values: CellValue[] }> & { name?: string } }
    | { index: number; text: string | null | { richText: { text: string | null }[] } };
  const strings: string[] = [];
  let sheets = 0;
  for await (const item of reader.parse() as unknown as AsyncIterable<Item>) {
    if ('index' in item) {
      const t = item.text;
      strings.push(t === null || typeof t === 'string' ? (t ?? '') : t.richText.map((r) => r.text ?? '').join(''));
      continue;
    }
    if (item.eventType !== 'worksheet') continue;
    sheets += 1;
    const wanted = sheetName ? item.value.name === sheetName : sheets === 1;
    const rows: SourceRow[] = [];
    for await (const row of item.value) {
      if (wanted) rows.push({ rowNo: row.number, fields: Array.from(row.values.slice(1), (v) => text(v, strings)) });
    }
    if (wanted) return rows;
  }
  throw new Error(`no sheet ${sheetName}`);
}

/** A catalogue-like sheet with every kind of value exceljs writes, long enough for many chunks and batches. */
async function writeWithExceljs(path: string, useSharedStrings: boolean): Promise<void> {
  const workbook = new excelStream.xlsx.WorkbookWriter({ filename: path, useSharedStrings, useStyles: true });
  const info = workbook.addWorksheet('Info');
  info.addRow(['Export', new Date(Date.UTC(2025, 0, 2))]).commit();
  info.addRow(['Zeilen', 2500]).commit();
  info.commit();
  const sheet = workbook.addWorksheet('Artikel');
  sheet.addRow(HEADER.split(';')).commit();
  for (let i = 0; i < 2500; i += 1) {
    const kind = i % 10;
    sheet
      .addRow([
        `PJS-${String(i).padStart(6, '0')}`,
        kind === 1 ? null : Number(ean13(String(400_000_000_000 + i))),
        kind === 2
          ? { richText: [{ text: 'Fett ', font: { bold: true } }, { text: `Figur ${i}` }] }
          : `Figur "Größe" <${i}> & 😀`,
        kind === 3 ? { text: 'Funko', hyperlink: 'https://funko.example.test' } : 'Hot Toys',
        kind === 4 ? { formula: 'A2&"x"', result: 'Marvelx' } : 'Marvel',
        kind === 5 ? { error: '#N/A' } : 'Figuren > Vinyl',
        kind === 6 ? { formula: 'H2/2', result: 12.25 } : 12.5 + i / 100,
        -24.99 * (kind - 4),
        new Date(Date.UTC(2025, kind, 1 + (i % 28))),
        kind === 7 ? 1e-7 : 0.3,
        kind === 8 ? true : '',
        kind === 9 ? null : `Zeile eins\nZeile zwei ${'x'.repeat(i % 300)}  `,
      ])
      .commit();
  }
  sheet.addRow([]).commit();
  sheet.getRow(2505).values = ['nach der Lücke'];
  sheet.getRow(2505).commit();
  sheet.commit();
  await workbook.commit();
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A workbook as other producers write it: prefixes, odd part names, inline strings, no `r` attributes. */
async function handBuiltWorkbook(): Promise<Buffer> {
  const zip = new JSZip();
  // The sheet listed second comes first in the zip, and is stored without compression.
  zip.file(
    'xl/worksheets/data.xml',
    `<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="${NS}"><x:sheetData>` +
      '<x:row><x:c t="inlineStr"><x:is><x:t>Artikelnummer</x:t></x:is></x:c><x:c t="s"><x:v>0</x:v></x:c></x:row>' +
      '<x:row><x:c t="inlineStr"><x:is><x:r><x:t>A-</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>1</x:t></x:r>' +
      '<x:rPh sb="0" eb="1"><x:t>ignored</x:t></x:rPh></x:is></x:c><x:c t="s"><x:v>1</x:v></x:c>' +
      '<x:c r="E2"><x:f>1+1</x:f><x:v>2</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>' +
      '<x:row r="4"><x:c r="B4" t="e"><x:v>#REF!</x:v></x:c><x:c r="C4" t="d"><x:v>2025-06-01</x:v></x:c>' +
      '<x:c r="D4" t="str"><x:v><![CDATA[a < b]]> &amp;&#10;c</x:v></x:c></x:row>' +
      '<x:row r="5"/><x:row><x:c/><x:c r="C6" s="2"/></x:row>' +
      '</x:sheetData></x:worksheet>',
    { compression: 'STORE' },
  );
  zip.file(
    '[Content_Types].xml',
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="/xl/workbook.xml"/></Relationships>`,
  );
  zip.file(
    'xl/workbook.xml',
    `<x:workbook xmlns:x="${NS}" xmlns:rel="${REL}"><x:sheets>` +
      '<x:sheet name="Hinweise &amp; Infos" sheetId="2" rel:id="rIdB"/><x:sheet name="Artikel" sheetId="1" rel:id="rIdA"/>' +
      '</x:sheets></x:workbook>',
  );
  zip.file(
    'xl/_rels/workbook.xml.rels',
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      `<Relationship Id="rIdA" Type="${REL}/worksheet" Target="/xl/worksheets/data.xml"/>` +
      `<Relationship Id="rIdB" Type="${REL}/worksheet" Target="worksheets/notes%20sheet.xml"/>` +
      `<Relationship Id="rIdS" Type="${REL}/sharedStrings" Target="text/strings.xml"/>` +
      '</Relationships>',
  );
  zip.file(
    'xl/text/strings.xml',
    `<sst xmlns="${NS}"><si><t>EAN</t></si><si><r><t>40</t></r><r><t xml:space="preserve">01 </t></r>` +
      '<rPh sb="0" eb="1"><t>yomi</t></rPh></si></sst>',
  );
  zip.file(
    'xl/worksheets/notes sheet.xml',
    `<worksheet xmlns="${NS}"><sheetData><row r="1"><c t="s"><v>0</v></c></row></sheetData></worksheet>`,
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

describe('XLSX reader', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xlsx-reader-'));
    scratch = join(dir, 'scratch');
    await writeWithExceljs(exceljsFile(true), true);
    await writeWithExceljs(exceljsFile(false), false);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe.each([
    ['with shared strings', true],
    ['with inline strings', false],
  ])('a workbook written by exceljs %s', (_label, useSharedStrings) => {
    const path = () => exceljsFile(useSharedStrings);

    it('reads the named sheet (not the first part) as the exceljs reader did', async () => {
      const rows = await readRows(path(), settings('Artikel'));
      expect(rows).toHaveLength(2502); // exceljs writes no empty row
      const reference = await readRowsWithExceljs(path(), 'Artikel');
      if (!useSharedStrings) {
        // exceljs kept only the last run of inline rich text ("Figur 2"); its text is all runs.
        for (const row of reference) if (/^Figur \d+$/.test(row.fields[2])) row.fields[2] = `Fett ${row.fields[2]}`;
      }
      expect(rows).toEqual(reference);
      expect(rows[3].fields.slice(0, 4)).toEqual(['PJS-000002', ean13('400000000002'), 'Fett Figur 2', 'Hot Toys']);
      expect(rows.at(-1)).toEqual({ rowNo: 2505, fields: ['nach der Lücke'] });
    });

    it('reads the first sheet when the profile names none, and says which sheet it read', async () => {
      const source = await openRowSource(path(), settings());
      const rows: SourceRow[] = [];
      for await (const batch of source.rows as AsyncIterable<SourceRow[]>) rows.push(...batch);
      expect(rows).toEqual(await readRowsWithExceljs(path(), null));
      expect(rows).toEqual([
        { rowNo: 1, fields: ['Export', '45659'] },
        { rowNo: 2, fields: ['Zeilen', '2500'] },
      ]);
      expect(source.description).toEqual({ format: 'xlsx', sheet: 'Info' });
      expect(await readdir(scratch)).toEqual([]); // the shared-string scratch file is gone
    });
  });

  it('reads a hand-built workbook: prefixes, absolute and encoded targets, inline and rich text, no r attributes', async () => {
    const path = join(dir, 'hand-built.xlsx');
    await writeFile(path, await handBuiltWorkbook());
    expect(await readRows(path, settings('Artikel'))).toEqual([
      { rowNo: 1, fields: ['Artikelnummer', 'EAN'] },
      { rowNo: 2, fields: ['A-1', '4001 ', '', '', '2', 'TRUE'] },
      { rowNo: 4, fields: ['', '', '45809', 'a < b &\nc'] },
      { rowNo: 5, fields: [] },
      { rowNo: 6, fields: [] },
    ]);
    const first = await openRowSource(path, settings());
    for await (const batch of first.rows as AsyncIterable<SourceRow[]>)
      expect(batch).toEqual([{ rowNo: 1, fields: ['EAN'] }]);
    expect(first.description.sheet).toBe('Hinweise & Infos');
  });

  it('refuses a missing sheet, a zip without a workbook and a damaged file with the reasons an import shows', async () => {
    const handBuilt = join(dir, 'hand-built-2.xlsx');
    await writeFile(handBuilt, await handBuiltWorkbook());
    await expect(readRows(handBuilt, settings('Preise'))).rejects.toThrow(
      'the workbook has no sheet named "Preise" (sheets: Hinweise & Infos, Artikel)',
    );

    const document = new JSZip().file('word/document.xml', '<w:document/>');
    const docx = join(dir, 'letter.docx');
    await writeFile(docx, await document.generateAsync({ type: 'nodebuffer' }));
    await expect(readRows(docx)).rejects.toThrow('the workbook has no worksheet');

    const notAZip = join(dir, 'broken.xlsx');
    await writeFile(notAZip, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]));
    await expect(readRows(notAZip)).rejects.toThrow(/^the XLSX file cannot be read: /);

    const damaged = await readFile(exceljsFile(false));
    damaged.fill(0, Math.floor(damaged.length / 2), Math.floor(damaged.length / 2) + 64);
    const damagedPath = join(dir, 'damaged.xlsx');
    await writeFile(damagedPath, damaged);
    await expect(readRows(damagedPath, settings('Artikel'))).rejects.toThrow(/^the XLSX file cannot be read: /);
    expect(await readdir(scratch)).toEqual([]);
  });

  it('streams: one batch at a time, progress moving with the compressed bytes, nothing left behind', async () => {
    const path = exceljsFile(false);
    const source = await openRowSource(path, settings('Artikel'));
    const batches = source.rows[Symbol.asyncIterator]() as AsyncIterator<SourceRow[]>;
    const first = await batches.next();
    expect((first.value as SourceRow[]).length).toBeGreaterThanOrEqual(1000);
    expect((first.value as SourceRow[]).length).toBeLessThan(1200);
    const early = source.bytesRead();
    expect(early).toBeGreaterThan(0);
    expect(early).toBeLessThan(source.bytesTotal * 0.8);
    while (!(await batches.next()).done);
    expect(source.bytesRead()).toBe(source.bytesTotal);

    // collectRows stops reading once it has its rows; the zip and the scratch file are closed.
    const found = await collectRows(path, settings('Artikel'), new Set([2, 3]));
    expect([...found.keys()]).toEqual([2, 3]);
    expect(found.get(3)?.[0]).toBe('PJS-000001');
    expect(await readdir(scratch)).toEqual([]);
  });

  describe('importing', () => {
    let ctx: DbuTestContext;

    beforeAll(async () => {
      ctx = await createDbuTestContext('xlsx_reader');
    });

    afterAll(async () => {
      await ctx.close();
    });

    it('imports a workbook with inline strings, no r attributes and an ISO date cell like any other', async () => {
      const zip = new JSZip();
      const header = HEADER.split(';');
      const cells = (values: string[]) =>
        values.map((v) => (v === '' ? '<c/>' : `<c t="inlineStr"><is><t>${v}</t></is></c>`)).join('');
      zip.file(
        'xl/workbook.xml',
        `<workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="Liste" r:id="r1"/></sheets></workbook>`,
      );
      zip.file(
        'xl/_rels/workbook.xml.rels',
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="${REL}/worksheet" Target="worksheets/liste.xml"/></Relationships>`,
      );
      zip.file(
        'xl/worksheets/liste.xml',
        `<worksheet xmlns="${NS}"><sheetData><row>${cells(header)}</row>` +
          `<row>${cells(['XR-1', ean13('400000000777'), 'Inline &amp; Co', 'Funko', 'Marvel', 'Figuren &gt; Vinyl'])}` +
          '<c><v>12.5</v></c><c><v>24.99</v></c><c t="d"><v>2025-06-01T00:00:00</v></c><c><v>0.3</v></c>' +
          `${cells(['', 'Text'])}</row></sheetData></worksheet>`,
      );
      const path = await writeFixture(
        ctx,
        'liste.xlsx',
        await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }),
      );
      const run = await importRun(ctx, path);
      expect(run.error).toBeNull();
      expect(run).toMatchObject({ status: 'succeeded', new_count: 1, invalid_count: 0, file_format: 'xlsx' });
      const [product] = await ctx.dataSource.query(
        `SELECT item_no, title, purchase_price::text, to_char(release_date, 'YYYY-MM-DD') AS release_date, description
           FROM products WHERE item_no = 'XR-1'`,
      );
      expect(product).toEqual({
        item_no: 'XR-1',
        title: 'Inline & Co',
        purchase_price: '12.50',
        release_date: '2025-06-01',
        description: 'Text',
      });
    });
  });
});
