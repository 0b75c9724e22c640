import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { Workbook } from 'exceljs';
import {
  HEADER,
  createDbuTestContext,
  csvLine,
  ean13,
  generateCatalogue,
  importFile,
  importRun,
  writeFixture,
  type DbuTestContext,
  type FixtureRow,
} from './support/dbu-test-context';

/** A product as stored, with lookups resolved to names (what an exact import must produce). */
async function productRows(ctx: DbuTestContext, itemNos?: string[]) {
  return ctx.dataSource.query(
    `SELECT p.item_no, p.ean, p.title, p.description, m.name AS manufacturer, l.name AS license, c.path AS category,
            p.purchase_price::text AS purchase_price, p.rrp::text AS rrp, to_char(p.release_date, 'YYYY-MM-DD') AS release_date,
            p.weight_kg::text AS weight_kg, p.image_url
       FROM products p
       LEFT JOIN manufacturers m ON m.id = p.manufacturer_id
       LEFT JOIN licenses l ON l.id = p.license_id
       LEFT JOIN categories c ON c.id = p.category_id
      WHERE $1::text[] IS NULL OR p.item_no = ANY($1::text[])
      ORDER BY p.item_no`,
    [itemNos ?? null],
  );
}

const TRICKY: FixtureRow[] = [
  {
    item_no: 'LAT-001',
    ean: ean13('400000000001'),
    title: 'Pokémon Glurak Figur',
    manufacturer: 'Größenwahn GmbH',
    license: 'Pokémon',
    category: 'Figuren > Vinyl',
    ek: '1.234,56',
    uvp: '1.999,00',
    date: '01.02.2025',
    weight: '0,5',
    image: 'https://img.example.test/p/lat-001.jpg',
    description: 'Zeile eins; mit Semikolon\r\nZeile zwei mit "Zitat" und Umlauten äöü ß',
  },
  {
    item_no: 'LAT-002',
    ean: ean13('400000000002'),
    title: 'Büste "Deluxe"',
    manufacturer: 'Hot Toys',
    license: 'Herr der Ringe',
    category: 'Statuen',
    ek: '12,5',
    uvp: '19,99',
    date: '31.12.2026',
    weight: '1,25',
    image: '',
    description: '',
  },
  {
    item_no: 'LAT-003',
    title: 'Ohne EAN und Preis',
    manufacturer: 'Hot Toys',
    license: '',
    category: 'Figuren > Vinyl',
  },
];

const EXPECTED = [
  {
    item_no: 'LAT-001',
    ean: ean13('400000000001'),
    title: 'Pokémon Glurak Figur',
    description: 'Zeile eins; mit Semikolon\nZeile zwei mit "Zitat" und Umlauten äöü ß',
    manufacturer: 'Größenwahn GmbH',
    license: 'Pokémon',
    category: 'Figuren > Vinyl',
    purchase_price: '1234.56',
    rrp: '1999.00',
    release_date: '2025-02-01',
    weight_kg: '0.500',
    image_url: 'https://img.example.test/p/lat-001.jpg',
  },
  {
    item_no: 'LAT-002',
    ean: ean13('400000000002'),
    title: 'Büste "Deluxe"',
    description: null,
    manufacturer: 'Hot Toys',
    license: 'Herr der Ringe',
    category: 'Statuen',
    purchase_price: '12.50',
    rrp: '19.99',
    release_date: '2026-12-31',
    weight_kg: '1.250',
    image_url: null,
  },
  {
    item_no: 'LAT-003',
    ean: null,
    title: 'Ohne EAN und Preis',
    description: null,
    manufacturer: 'Hot Toys',
    license: null,
    category: 'Figuren > Vinyl',
    purchase_price: null,
    rrp: null,
    release_date: null,
    weight_kg: null,
    image_url: null,
  },
];

describe('catalogue import (real PostgreSQL)', () => {
  let ctx: DbuTestContext;

  beforeAll(async () => {
    ctx = await createDbuTestContext('catalogue_import');
  });

  afterAll(async () => {
    await ctx.close();
  });

  it('imports a Latin-1 file with ";", decimal commas, CRLF and quoted line breaks exactly', async () => {
    const text = [HEADER, ...TRICKY.map(csvLine)].join('\r\n') + '\r\n';
    const path = await writeFixture(ctx, 'latin1.csv', iconv.encode(text, 'latin1'));
    const run = await importRun(ctx, path);
    expect(run).toMatchObject({ status: 'succeeded', new_count: 3, changed_count: 0, invalid_count: 0, rows_total: 3 });
    expect(run.details).toMatchObject({ source: { format: 'csv', encoding: 'windows-1252', delimiter: ';' } });
    expect(await productRows(ctx)).toEqual(EXPECTED);
    const [hash] = await ctx.dataSource.query(`SELECT count(*)::int AS n FROM products WHERE last_import_id = $1`, [
      run.id,
    ]);
    expect(hash.n).toBe(3);
  });

  it('reads the same content as UTF-8 with BOM and, being unchanged, changes nothing', async () => {
    const before = await ctx.dataSource.query(
      `SELECT item_no, xmin::text AS xmin, updated_at FROM products ORDER BY item_no`,
    );
    const text = '\uFEFF' + [HEADER, ...TRICKY.map(csvLine)].join('\r\n') + '\r\n';
    const path = await writeFixture(ctx, 'bom.csv', Buffer.from(text, 'utf8'));
    const run = await importRun(ctx, path);
    expect(run).toMatchObject({
      status: 'succeeded',
      new_count: 0,
      changed_count: 0,
      unchanged_count: 3,
      invalid_count: 0,
    });
    expect(run.details).toMatchObject({ source: { encoding: 'utf-8' }, history_rows: 0 });
    expect(await productRows(ctx)).toEqual(EXPECTED);
    // Untouched: not even a new row version.
    expect(
      await ctx.dataSource.query(`SELECT item_no, xmin::text AS xmin, updated_at FROM products ORDER BY item_no`),
    ).toEqual(before);
    const [history] = await ctx.dataSource.query(
      `SELECT count(*)::int AS n FROM product_history WHERE source_ref = $1`,
      [run.id],
    );
    expect(history.n).toBe(0);
  });

  it('recognises the same file again by its SHA-256 and does not import it twice', async () => {
    const text = '\uFEFF' + [HEADER, ...TRICKY.map(csvLine)].join('\r\n') + '\r\n';
    const path = await writeFixture(ctx, 'bom-again.csv', Buffer.from(text, 'utf8'));
    const attempt = await importFile(ctx, path);
    expect(attempt).toHaveProperty('duplicate');
    const [runs] = await ctx.dataSource.query(`SELECT count(*)::int AS n FROM import_runs`);
    expect(runs.n).toBe(2);
  });

  it('rejects broken rows with row, column, value and reason while the good rows land', async () => {
    const lines = [
      HEADER,
      csvLine({ item_no: 'BR-001', title: 'Gut eins', ek: '10,00', ean: ean13('400000000011') }),
      csvLine({ item_no: 'BR-002', title: 'Falsche EAN', ean: '4000000000110' }),
      csvLine({ item_no: 'BR-003', title: 'Kaputter Preis', ek: '12,3,4' }),
      csvLine({ item_no: 'BR-004', title: 'Kaputtes Datum', date: '30.02.2025' }),
      csvLine({ item_no: 'BR-005', title: '' }),
      csvLine({ item_no: '', title: 'Ohne Nummer' }),
      'BR-007;;Zu viele;Spalten;a;b;c;d;e;f;g;h;i;j',
      csvLine({ item_no: 'BR-008', title: 'Gut zwei', uvp: '5' }),
      '',
      csvLine({ item_no: 'BR-001', title: 'Gut eins (neuer)', ek: '11,00', ean: ean13('400000000011') }),
    ];
    const path = await writeFixture(ctx, 'broken.csv', lines.join('\n'));
    const run = await importRun(ctx, path);
    expect(run).toMatchObject({
      status: 'succeeded',
      new_count: 2,
      invalid_count: 7,
      blank_count: 1,
      rows_total: 10,
    });
    expect(await productRows(ctx, ['BR-001', 'BR-008'])).toMatchObject([
      { item_no: 'BR-001', title: 'Gut eins (neuer)', purchase_price: '11.00' },
      { item_no: 'BR-008', title: 'Gut zwei', rrp: '5.00' },
    ]);
    const rejected = await ctx.services.runs.rejectedRows(run.id, 100);
    expect(rejected.map((r) => [r.row_no, r.errors])).toEqual([
      [
        2,
        [
          {
            column: 'Artikelnummer',
            value: 'BR-001',
            reason: 'the item number appears again in row 11, which is used',
          },
        ],
      ],
      [3, [{ column: 'EAN', value: '4000000000110', reason: 'has a wrong check digit' }]],
      [4, [{ column: 'EK-Preis', value: '12,3,4', reason: expect.stringMatching(/not a number/) }]],
      [5, [{ column: 'Erscheinungsdatum', value: '30.02.2025', reason: 'is not a calendar date' }]],
      [6, [{ column: 'Bezeichnung', value: '', reason: 'title is missing' }]],
      [7, [{ column: 'Artikelnummer', value: '', reason: 'item number is missing' }]],
      [8, [{ column: '', value: '', reason: 'has 14 columns where the header has 12' }]],
    ]);
    // The source cells are kept in the source layout.
    expect(rejected[1].values).toEqual(lines[2].split(';'));
    expect(rejected[0].values[0]).toBe('BR-001');
  });

  it('records one history row per changed price when a second file changes 10 prices', async () => {
    const first = await writeFixture(ctx, 'gen-a.csv', '');
    await generateCatalogue(first, 200, { seed: 11 });
    const runA = await importRun(ctx, first);
    expect(runA).toMatchObject({ status: 'succeeded', new_count: 200 });

    const lines = (await readFile(first, 'utf8')).split('\n');
    const changed: string[] = [];
    for (let i = 1; i <= 10; i += 1) {
      const cells = lines[i * 15].split(';');
      cells[6] = '1,11'; // EK-Preis
      changed.push(cells[0]);
      lines[i * 15] = cells.join(';');
    }
    const second = await writeFixture(ctx, 'gen-b.csv', lines.join('\n'));
    const runB = await importRun(ctx, second);
    expect(runB).toMatchObject({ status: 'succeeded', new_count: 0, changed_count: 10, unchanged_count: 190 });
    const history = await ctx.dataSource.query(
      `SELECT item_no, field, new_value, source_type, actor FROM product_history WHERE source_ref = $1 ORDER BY item_no`,
      [runB.id],
    );
    expect(history).toHaveLength(10);
    expect(history.map((h: { item_no: string }) => h.item_no)).toEqual([...changed].sort());
    expect(history.every((h: Record<string, string>) => h.field === 'purchase_price' && h.new_value === '1.11')).toBe(
      true,
    );
    expect(history[0]).toMatchObject({ source_type: 'import', actor: 'tester' });
    const marked = await ctx.dataSource.query(
      `SELECT item_no FROM products WHERE last_import_id = $1 ORDER BY item_no`,
      [runB.id],
    );
    expect(marked.map((r: { item_no: string }) => r.item_no)).toEqual([...changed].sort());
  });

  it('restores the file content of products edited outside imports when the same file comes again', async () => {
    const path = await writeFixture(ctx, 'edited.csv', '');
    await generateCatalogue(path, 50, { seed: 23 });
    const first = await importRun(ctx, path);
    expect(first).toMatchObject({ status: 'succeeded', invalid_count: 0 });
    const itemNo = (await readFile(path, 'utf8')).split('\n')[1].split(';')[0];
    const [victim] = await ctx.dataSource.query(
      `SELECT p.item_no, p.title, m.name AS manufacturer FROM products p
         JOIN manufacturers m ON m.id = p.manufacturer_id WHERE p.item_no = $1`,
      [itemNo],
    );
    // An API edit, and a GPSR link to another manufacturer: neither knows about import fingerprints.
    await ctx.dataSource.query(`UPDATE products SET title = 'Edited by hand' WHERE item_no = $1`, [victim.item_no]);
    await ctx.dataSource.query(
      `WITH m AS (INSERT INTO manufacturers (name, name_key) VALUES ('GPSR Linked', 'gpsr linked') RETURNING id)
       UPDATE products SET manufacturer_id = (SELECT id FROM m) WHERE item_no = $1`,
      [victim.item_no],
    );

    const again = await importRun(ctx, path, { force: true });
    expect(again).toMatchObject({ status: 'succeeded', new_count: 0, changed_count: 1, unchanged_count: 49 });
    expect(await productRows(ctx, [victim.item_no])).toMatchObject([
      { title: victim.title, manufacturer: victim.manufacturer },
    ]);
    const history = await ctx.dataSource.query(
      `SELECT field FROM product_history WHERE source_ref = $1 ORDER BY field`,
      [again.id],
    );
    expect(history.map((h: { field: string }) => h.field)).toEqual(['manufacturer_id', 'title']);
  });

  it('leaves the catalogue untouched with reject-all when a row is invalid', async () => {
    const snapshot = () => ctx.dataSource.query(`SELECT item_no, xmin::text AS xmin FROM products ORDER BY item_no`);
    const before = await snapshot();
    const path = await writeFixture(
      ctx,
      'reject-all.csv',
      [
        HEADER,
        csvLine({ item_no: 'RA-001', title: 'Wäre neu' }),
        csvLine({ item_no: 'LAT-002', title: 'Wäre geändert', ek: '99,99' }),
        csvLine({ item_no: 'RA-003', title: 'Kaputt', ek: 'zwölf' }),
      ].join('\n'),
    );
    const run = await importRun(ctx, path, { errorPolicy: 'reject-all' });
    expect(run).toMatchObject({ status: 'rejected', new_count: 1, changed_count: 1, invalid_count: 1 });
    expect(run.error).toMatch(/reject-all/);
    expect(await snapshot()).toEqual(before);
    expect(await ctx.services.runs.rejectedRows(run.id, 10)).toHaveLength(1);
  });

  it('computes the diff of a dry run with field-level changes for a sample, without committing', async () => {
    const before = await ctx.dataSource.query(`SELECT item_no, xmin::text AS xmin FROM products ORDER BY item_no`);
    const path = await writeFixture(
      ctx,
      'dry.csv',
      [
        HEADER,
        csvLine({ ...TRICKY[1], ek: '13,00', manufacturer: 'Trockenlauf AG' }),
        csvLine({ item_no: 'DRY-NEW', title: 'Neu' }),
        csvLine({ item_no: 'DRY-BAD', title: 'Kaputt', date: 'bald' }),
      ].join('\n'),
    );
    const run = await importRun(ctx, path, { dryRun: true });
    expect(run).toMatchObject({ status: 'succeeded', dry_run: true, new_count: 1, changed_count: 1, invalid_count: 1 });
    expect(run.diff).toEqual({
      new: 1,
      changed: 1,
      unchanged: 0,
      invalid: 1,
      new_items: ['DRY-NEW'],
      changes: [
        {
          item_no: 'LAT-002',
          changes: [
            { field: 'manufacturer', old: 'Hot Toys', new: 'Trockenlauf AG' },
            { field: 'purchase_price', old: '12.50', new: '13.00' },
          ],
        },
      ],
    });
    expect(await ctx.dataSource.query(`SELECT item_no, xmin::text AS xmin FROM products ORDER BY item_no`)).toEqual(
      before,
    );
    const [m] = await ctx.dataSource.query(
      `SELECT count(*)::int AS n FROM manufacturers WHERE name = 'Trockenlauf AG'`,
    );
    expect(m.n).toBe(0);
  });

  it('imports an XLSX sheet (by content, not name) with the same result as the CSV', async () => {
    const workbook = new Workbook();
    workbook.addWorksheet('Info').addRow(['nothing to see']);
    const sheet = workbook.addWorksheet('Artikel');
    sheet.addRow(HEADER.split(';'));
    sheet.addRow([
      'XL-001',
      Number(ean13('400000000099')),
      'Excel Figur',
      'Funko',
      'Marvel',
      'Figuren > Vinyl',
      12.5,
      24.99,
      new Date(Date.UTC(2025, 5, 1)),
      0.3,
      '',
      'Text',
    ]);
    // Excel writes no cells after a row's last value: the row is shorter than the header, not shifted.
    sheet.addRow(['XL-002', '', 'Nur Titel']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const path = await writeFixture(ctx, 'catalogue.dat', buffer);
    await ctx.services.profiles.create({ name: 'excel', sheet_name: 'Artikel' });
    const run = await importRun(ctx, path, { profile: 'excel' });
    expect(run.error).toBeNull();
    expect(run).toMatchObject({ status: 'succeeded', new_count: 2, invalid_count: 0, file_format: 'xlsx' });
    expect(await productRows(ctx, ['XL-002'])).toMatchObject([{ title: 'Nur Titel', ean: null, description: null }]);
    expect(await productRows(ctx, ['XL-001'])).toEqual([
      {
        item_no: 'XL-001',
        ean: ean13('400000000099'),
        title: 'Excel Figur',
        description: 'Text',
        manufacturer: 'Funko',
        license: 'Marvel',
        category: 'Figuren > Vinyl',
        purchase_price: '12.50',
        rrp: '24.99',
        release_date: '2025-06-01',
        weight_kg: '0.300',
        image_url: null,
      },
    ]);
  });

  it('follows a profile (comma, decimal point, US dates) and reports unmapped columns', async () => {
    await ctx.services.profiles.create({
      name: 'us-wholesaler',
      delimiter: ',',
      decimal_separator: '.',
      date_format: 'MM/DD/YYYY',
      column_map: { Code: 'item_no' },
    });
    const path = await writeFixture(
      ctx,
      'us.csv',
      'Code,Product Name,Cost,Release Date,Stock\nUS-1,"Figure, large","1,234.50",02/03/2025,7\n',
    );
    const run = await importRun(ctx, path, { profile: 'us-wholesaler' });
    expect(run).toMatchObject({ status: 'succeeded', new_count: 1 });
    expect(run.unmapped_columns).toEqual([{ index: 4, header: 'Stock', reason: 'no field matches this header' }]);
    expect(run.column_mapping).toEqual([
      { index: 0, header: 'Code', field: 'item_no', how: 'profile' },
      { index: 1, header: 'Product Name', field: 'title', how: 'suggested' },
      { index: 2, header: 'Cost', field: 'purchase_price', how: 'suggested' },
      { index: 3, header: 'Release Date', field: 'release_date', how: 'suggested' },
    ]);
    expect(await productRows(ctx, ['US-1'])).toMatchObject([
      { title: 'Figure, large', purchase_price: '1234.50', release_date: '2025-02-03' },
    ]);
  });

  it('fails a file without the required columns, naming them', async () => {
    const path = await writeFixture(ctx, 'no-title.csv', 'Artikelnummer;Preis\nX;1\n');
    const attempt = await importFile(ctx, path);
    expect(attempt).toMatchObject({ result: { result: 'failed' }, run: { status: 'failed' } });
    if ('run' in attempt) expect(attempt.run.error).toMatch(/required column missing: title/);
  });
});
