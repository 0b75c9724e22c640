import JSZip from 'jszip';
import { HEADER, createDbuTestContext, writeFixture, type DbuTestContext } from './support/dbu-test-context';

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A one-sheet workbook whose sheet XML is `rows` (after a normal header row) and strings `strings`. */
function workbook(rows: string, strings: string[] = []): JSZip {
  const zip = new JSZip();
  const inline = (v: string) => `<c t="inlineStr"><is><t>${v}</t></is></c>`;
  zip.file(
    'xl/workbook.xml',
    `<workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="Liste" r:id="r1"/></sheets></workbook>`,
  );
  zip.file(
    'xl/_rels/workbook.xml.rels',
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      `<Relationship Id="r1" Type="${REL}/worksheet" Target="worksheets/liste.xml"/>` +
      `<Relationship Id="r2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
  );
  zip.file('xl/sharedStrings.xml', `<sst xmlns="${NS}">${strings.map((s) => `<si><t>${s}</t></si>`).join('')}</sst>`);
  zip.file(
    'xl/worksheets/liste.xml',
    `<worksheet xmlns="${NS}"><sheetData><row r="1">${HEADER.split(';').map(inline).join('')}</row>${rows}</sheetData></worksheet>`,
  );
  return zip;
}

const deflated = (zip: JSZip) => zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });

/** Sets the uncompressed size the central directory states for `name` (a doctored, bomb-like claim). */
function claimUncompressedSize(zipBytes: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zipBytes);
  for (let at = out.indexOf(0x02014b50 & 0xff); at >= 0; at = out.indexOf(0x50, at + 1)) {
    if (out.readUInt32LE(at) !== 0x02014b50) continue;
    const nameLength = out.readUInt16LE(at + 28);
    if (out.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      out.writeUInt32LE(size, at + 24);
      return out;
    }
  }
  throw new Error(`no central directory entry ${name}`);
}

/**
 * Hostile workbooks (issue 14, item 2): small files that would make the reader hold far more in memory
 * than their size. Each is refused with a clear message, and its import fails on the first attempt
 * (a problem of the file is not retried), changing nothing.
 */
describe('XLSX limits', () => {
  let ctx: DbuTestContext;

  beforeAll(async () => {
    ctx = await createDbuTestContext('xlsx_limits');
  });

  afterAll(async () => {
    await ctx.close();
  });

  /** Submits the file like an upload and runs one (not final) attempt of the worker's job. */
  async function attempt(name: string, bytes: Buffer) {
    const file = await ctx.services.media.saveLocalFile(await writeFixture(ctx, name, bytes));
    const submission = await ctx.services.requests.submit({
      kind: 'catalogue',
      file,
      errorPolicy: 'apply-valid',
      dryRun: false,
      force: true,
      source: 'cli',
      requestedBy: 'tester',
      enqueue: false,
    });
    if (submission.duplicate) throw new Error('unexpected duplicate');
    const id = submission.run.id;
    const result = await ctx.services.runner.execute(id, { finalAttempt: false });
    const [run] = await ctx.dataSource.query(`SELECT status, attempts, error FROM import_runs WHERE id = $1`, [id]);
    return { result, run };
  }

  const products = async () => Number((await ctx.dataSource.query(`SELECT count(*) AS n FROM products`))[0].n);

  it.each([
    [
      'a row of thousands of cells naming one long shared string',
      async () => deflated(workbook(`<row r="2">${'<c t="s"><v>0</v></c>'.repeat(3000)}</row>`, ['y'.repeat(500)])),
      'the XLSX file cannot be read: row 2 has more than 1024 columns (the limit of a row)',
    ],
    [
      'a row whose cells hold more than 1 MiB of text together',
      async () =>
        deflated(
          workbook(`<row r="2"><c t="inlineStr"><is><t>W-1</t></is></c>${'<c t="s"><v>0</v></c>'.repeat(11)}</row>`, [
            'z'.repeat(100_000),
          ]),
        ),
      'the XLSX file cannot be read: row 2 has more than 1048576 characters (the limit of a row)',
    ],
    [
      'a zip of more than 10,000 entries',
      async () => {
        const zip = workbook('');
        for (let i = 0; i <= 10_000; i += 1) zip.file(`customXml/item${i}.xml`, '', { compression: 'STORE' });
        return zip.generateAsync({ type: 'nodebuffer' });
      },
      'the XLSX file cannot be read: it has 10009 zip entries (at most 10000)',
    ],
    [
      'parts claiming to inflate to more than 4 GiB together',
      async () => {
        const zip = workbook('');
        zip.file('xl/media/a.bin', 'a');
        zip.file('xl/media/b.bin', 'b');
        const claimed = claimUncompressedSize(await deflated(zip), 'xl/media/a.bin', 0xf0000000);
        return claimUncompressedSize(claimed, 'xl/media/b.bin', 0xf0000000);
      },
      'the XLSX file cannot be read: its parts inflate to more than 4294967296 bytes',
    ],
  ])('refuses %s, failing the import once', async (_name, build, message) => {
    const before = await products();
    const { result, run } = await attempt(`${_name.replace(/\W+/g, '-')}.xlsx`, await build());
    expect(result).toEqual({ result: 'failed', error: message });
    expect(run).toEqual({ status: 'failed', attempts: 1, error: message });
    expect(await products()).toBe(before);
  });
});
