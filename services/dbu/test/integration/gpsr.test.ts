import { Workbook } from 'exceljs';
import {
  HEADER,
  createDbuTestContext,
  csvLine,
  importRun,
  writeFixture,
  type DbuTestContext,
} from './support/dbu-test-context';

describe('GPSR normalisation (real PostgreSQL)', () => {
  let ctx: DbuTestContext;

  const manufacturers = () =>
    ctx.dataSource.query(
      `SELECT name, street, postal_code, city, country, email, contact_url, eu_responsible_name, gpsr_complete
         FROM manufacturers ORDER BY name`,
    );
  const productManufacturers = () =>
    ctx.dataSource.query(
      `SELECT p.item_no, m.name AS manufacturer, p.safety_warnings FROM products p
         LEFT JOIN manufacturers m ON m.id = p.manufacturer_id ORDER BY p.item_no`,
    );

  beforeAll(async () => {
    ctx = await createDbuTestContext('gpsr');
    const catalogue = await writeFixture(
      ctx,
      'catalogue.csv',
      [
        HEADER,
        csvLine({ item_no: 'G-1', title: 'Pop Figur', manufacturer: 'Funko' }),
        csvLine({ item_no: 'G-2', title: 'Pop Figur 2', manufacturer: 'FUNKO Inc.' }),
        csvLine({ item_no: 'G-3', title: 'Statue', manufacturer: 'Unbekannt' }),
        csvLine({ item_no: 'G-4', title: 'Ohne Hersteller' }),
      ].join('\n'),
    );
    expect(await importRun(ctx, catalogue)).toMatchObject({ status: 'succeeded', new_count: 4 });
  });

  afterAll(async () => {
    await ctx.close();
  });

  it('turns a spreadsheet with its own headers into deduplicated manufacturers linked to the products', async () => {
    const rows = [
      'Herstellername;Anschrift;E-Mail-Adresse;Webseite;EU-Verantwortlicher;Adresse EU-Verantwortlicher;E-Mail EU-Verantwortlicher;Art.-Nr.;Warnhinweise',
      'Funko, Inc;"2802 Wetmore Ave, Everett, WA 98201, USA";info@funko.com;www.funko.com;Funko Europe GmbH;Musterweg 1, 80331 München;eu@funko.com;G-1;Nicht für Kinder unter 3 Jahren',
      'FUNKO Inc.;"2802 Wetmore Ave, Everett, WA 98201, USA";info@funko.com;www.funko.com;Funko Europe GmbH;Musterweg 1, 80331 München;eu@funko.com;G-3;',
      'funko;"2802 Wetmore Ave, Everett, WA 98201, USA";support@funko.com;;;;;;',
      'Hot Toys Ltd;"Hauptstr. 5, 10115 Berlin, Deutschland";;;;;;G-4;',
      ';Irgendwo 1;x@y.de;;;;;G-2;',
      'Kaputt AG;Weg 2, 12345 Stadt;keine-mail;;;;;G-2;',
      'Niemand GmbH;Weg 3, 12345 Stadt;n@example.com;;;;;G-404;',
    ];
    const path = await writeFixture(ctx, 'gpsr.csv', rows.join('\r\n'));
    const run = await importRun(ctx, path, { kind: 'gpsr' });
    expect(run).toMatchObject({ kind: 'gpsr', status: 'succeeded', new_count: 2, changed_count: 1, invalid_count: 3 });
    expect(run.details).toMatchObject({
      manufacturers_in_file: 3,
      products_linked: 3,
      products_changed: 3,
      unknown_items: 1,
      incomplete_products: 1,
      conflicts: [{ manufacturer: 'Funko, Inc', field: 'email', values: ['info@funko.com', 'support@funko.com'] }],
    });

    // "Funko" and "FUNKO Inc." existed from the catalogue: both get the data, none is added.
    expect(await manufacturers()).toEqual([
      expect.objectContaining({
        name: 'FUNKO Inc.',
        street: '2802 Wetmore Ave',
        country: 'US',
        email: 'info@funko.com',
        gpsr_complete: true,
      }),
      expect.objectContaining({
        name: 'Funko',
        street: '2802 Wetmore Ave',
        postal_code: '98201',
        city: 'Everett',
        country: 'US',
        contact_url: 'https://www.funko.com',
        eu_responsible_name: 'Funko Europe GmbH',
        gpsr_complete: true,
      }),
      expect.objectContaining({
        name: 'Hot Toys Ltd',
        street: 'Hauptstr. 5',
        postal_code: '10115',
        city: 'Berlin',
        country: 'DE',
        gpsr_complete: false,
      }),
      // A row naming an unknown item is reported; its manufacturer data still counts (no country: incomplete).
      expect.objectContaining({
        name: 'Niemand GmbH',
        street: 'Weg 3',
        postal_code: '12345',
        city: 'Stadt',
        gpsr_complete: false,
      }),
      expect.objectContaining({ name: 'Unbekannt', street: null }),
    ]);
    expect(await productManufacturers()).toEqual([
      { item_no: 'G-1', manufacturer: 'Funko', safety_warnings: 'Nicht für Kinder unter 3 Jahren' },
      { item_no: 'G-2', manufacturer: 'FUNKO Inc.', safety_warnings: null },
      { item_no: 'G-3', manufacturer: 'Funko', safety_warnings: null },
      { item_no: 'G-4', manufacturer: 'Hot Toys Ltd', safety_warnings: null },
    ]);
    const history = await ctx.dataSource.query(
      `SELECT item_no, field FROM product_history WHERE source_ref = $1 ORDER BY item_no, field`,
      [run.id],
    );
    expect(history).toEqual([
      { item_no: 'G-1', field: 'safety_warnings' },
      { item_no: 'G-3', field: 'manufacturer_id' },
      { item_no: 'G-4', field: 'manufacturer_id' },
    ]);
    const rejected = await ctx.services.runs.rejectedRows(run.id, 10);
    expect(rejected.map((r) => [r.row_no, r.errors[0].reason])).toEqual([
      [6, 'manufacturer name is missing'],
      [7, 'is not an e-mail address'],
      [8, 'no product has this item number'],
    ]);
    const [event] = await ctx.dataSource.query(
      `SELECT envelope -> 'data' AS data FROM outbox_messages WHERE envelope -> 'data' ->> 'import_id' = $1`,
      [run.id],
    );
    expect(event.data.counts).toEqual({ new: 0, changed: 3, unchanged: 0, invalid: 3 });
  });

  it('reads English headers from XLSX, and a dry run changes nothing', async () => {
    const workbook = new Workbook();
    const sheet = workbook.addWorksheet('GPSR');
    sheet.addRow(['Brand', 'Street', 'ZIP', 'City', 'Country', 'Contact Email']);
    sheet.addRow(['Hot Toys Limited', 'Kowloon Road 1', '999077', 'Hong Kong', 'Hong Kong', 'eu@hottoys.com']);
    sheet.addRow(['Bandai Co.', 'Chome 1', '111-8081', 'Tokyo', 'Japan', 'info@bandai.jp']);
    const path = await writeFixture(ctx, 'gpsr.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
    const before = await manufacturers();
    const dry = await importRun(ctx, path, { kind: 'gpsr', dryRun: true });
    expect(dry).toMatchObject({ status: 'succeeded', dry_run: true, new_count: 1, changed_count: 1, invalid_count: 0 });
    expect(await manufacturers()).toEqual(before);

    const run = await importRun(ctx, path, { kind: 'gpsr' });
    expect(run).toMatchObject({ status: 'succeeded', new_count: 1, changed_count: 1 });
    const hotToys = (await manufacturers()).find((m: { name: string }) => m.name === 'Hot Toys Ltd');
    expect(hotToys).toMatchObject({ street: 'Kowloon Road 1', country: 'HK', email: 'eu@hottoys.com' });
    expect((await manufacturers()).some((m: { name: string }) => m.name === 'Bandai Co.')).toBe(true);
  });

  it('fails a spreadsheet without a manufacturer column', async () => {
    const path = await writeFixture(ctx, 'no-maker.csv', 'Straße;PLZ\nA;1\n');
    const attempt = await importRun(ctx, path, { kind: 'gpsr' });
    expect(attempt).toMatchObject({ status: 'failed', error: expect.stringMatching(/no manufacturer column/) });
  });
});
