import { SheetRowCollector, columnOf } from './sheet-row-collector';
import { XmlScanner } from './xml-scanner';

const strings = ['Artikelnummer', 'Größe', ''];
const options = { decimalSeparator: ',' as const, strings: { get: (i: number) => strings[i] ?? '' } };

function readSheet(chunks: Uint8Array[]): [number, string[]][] {
  const rows: [number, string[]][] = [];
  const scanner = new XmlScanner(new SheetRowCollector(options, (rowNo, fields) => rows.push([rowNo, fields])));
  for (const chunk of chunks) scanner.write(chunk);
  scanner.end();
  return rows;
}

/** The same bytes cut in two at every position, and fed one byte at a time. */
function everySplit(xml: string): Uint8Array[][] {
  const bytes = Buffer.from(xml, 'utf8');
  const splits: Uint8Array[][] = [];
  for (let i = 0; i <= bytes.length; i += 1) splits.push([bytes.subarray(0, i), bytes.subarray(i)]);
  splits.push(Array.from(bytes, (b) => Uint8Array.of(b)));
  return splits;
}

function sheet(rows: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D9"/>' +
    `<sheetData>${rows}</sheetData><mergeCells count="0"/></worksheet>`
  );
}

/** Each case: the cells of one or more rows as a producer may write them, and the rows read. */
const CASES: [string, string, [number, string[]][]][] = [
  [
    'every cell type',
    '<row r="1">' +
      '<c r="A1" t="s"><v>1</v></c>' +
      '<c r="B1" t="inlineStr"><is><t>inline</t></is></c>' +
      '<c r="C1" t="str"><v>text</v></c>' +
      '<c r="D1" t="b"><v>1</v></c>' +
      '<c r="E1" t="b"><v>0</v></c>' +
      '<c r="F1" t="e"><v>#N/A</v></c>' +
      '<c r="G1" t="n"><v>12.5</v></c>' +
      '<c r="H1"><v>45742</v></c>' +
      '<c r="I1" t="d"><v>2025-03-26T00:00:00Z</v></c>' +
      '<c r="J1"><v>1E-3</v></c>' +
      '</row>',
    [[1, ['Größe', 'inline', 'text', 'TRUE', 'FALSE', '', '12,5', '45742', '45742', '0,001']]],
  ],
  [
    'rows and cells without r, numbered after the previous ones',
    '<row><c><v>1</v></c><c><v>2</v></c></row><row r="5"><c r="B5"><v>3</v></c><c><v>4</v></c></row><row><c><v>5</v></c></row>',
    [
      [1, ['1', '2']],
      [5, ['', '3', '4']],
      [6, ['5']],
    ],
  ],
  [
    'gaps between cells filled, trailing cells without value left out',
    '<row r="2"><c r="A2"><v>1</v></c><c r="D2" t="s"><v>0</v></c><c r="E2" s="3"/><c r="F2" t="s"></c></row>',
    [[2, ['1', '', '', 'Artikelnummer']]],
  ],
  [
    'self-closing rows and cells, empty rows kept with their number',
    '<row r="1"/><row r="2" spans="1:3"><c r="A2" s="1"/></row><row r="3"><c r="C3" t="s"><v>2</v></c></row>',
    [
      [1, []],
      [2, []],
      [3, ['', '', '']],
    ],
  ],
  [
    'formulas by their cached result, whatever the formula text',
    '<row r="1"><c r="A1"><f>SUM(B1:C1)&gt;0</f><v>3</v></c><c r="B1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>' +
      '<c r="C1" t="b"><f>TRUE()</f><v>1</v></c><c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>' +
      '<c r="E1" t="str"><f>NOW()</f></c><c r="F1"><f t="shared" si="0"/><v>4.25</v></c></row>',
    [[1, ['3', 'ab', 'TRUE', '', '', '4,25']]],
  ],
  [
    'rich inline text joined, phonetic runs left out, spaces kept',
    '<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><b/></rPr><t>Fett</t></r><r><t xml:space="preserve"> und normal </t></r>' +
      '<rPh sb="0" eb="1"><t>ふりがな</t></rPh><phoneticPr fontId="1"/></is></c></row>',
    [[1, ['Fett und normal ']]],
  ],
  [
    'entities, character references and CDATA in values',
    '<row r="1"><c r="A1" t="str"><v>Figuren &gt; Vinyl &amp; &quot;Deluxe&quot; &apos;x&apos; &lt;b&gt;</v></c>' +
      '<c r="B1" t="inlineStr"><is><t>Zeile 1&#10;Zeile 2&#13;&#x1F600;</t></is></c>' +
      '<c r="C1" t="str"><v><![CDATA[<raw> & ]]>tail</v></c></row>',
    [[1, ['Figuren > Vinyl & "Deluxe" \'x\' <b>', 'Zeile 1\nZeile 2\r😀', '<raw> & tail']]],
  ],
  [
    'namespace prefixes as some producers write them',
    '<x:row r="7" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:c r="A7" t="inlineStr">' +
      '<x:is><x:t>präfix</x:t></x:is></x:c><x:c r="B7"><x:v>2.5</x:v></x:c></x:row>',
    [[7, ['präfix', '2,5']]],
  ],
  [
    'pretty-printed XML: whitespace between tags is not cell text',
    '\n  <row r="1">\n    <c r="A1" t="str">\n      <v>a</v>\n    </c>\n    <c r="B1">\n      <v>1</v>\n    </c>\n  </row>\n',
    [[1, ['a', '1']]],
  ],
  [
    'non-ASCII text of every UTF-8 length',
    '<row r="1"><c r="A1" t="str"><v>ä€😀 ß</v></c><c r="AA1" t="str"><v>z</v></c></row>',
    [[1, ['ä€😀 ß', ...Array<string>(25).fill(''), 'z']]],
  ],
];

describe(SheetRowCollector.name, () => {
  it.each(CASES)('reads %s', (_name, rows, expected) => {
    expect(readSheet([Buffer.from(sheet(rows))])).toEqual(expected);
  });

  it.each(CASES)('reads %s the same wherever the chunks end', (_name, rows, expected) => {
    for (const chunks of everySplit(sheet(rows))) expect(readSheet(chunks)).toEqual(expected);
  });

  it('ignores rows outside sheetData and cells outside rows', () => {
    const xml = '<worksheet><c r="A1"><v>1</v></c><sheetData><row r="1"><c><v>2</v></c></row></sheetData></worksheet>';
    expect(readSheet([Buffer.from(xml)])).toEqual([[1, ['2']]]);
  });

  it('refuses a cell of more than a million characters instead of growing without bound', () => {
    const huge = `<row r="3"><c t="str"><v>${'x'.repeat(1_100_000)}</v></c></row>`;
    expect(() => readSheet([Buffer.from(sheet(huge))])).toThrow('row 3 has a cell of over 1048576 characters');
  });

  it('refuses a row of more than 1024 columns, however small its cells', () => {
    const wide = `<row r="2">${'<c><v>1</v></c>'.repeat(1025)}</row>`;
    expect(() => readSheet([Buffer.from(sheet(wide))])).toThrow(
      'row 2 has more than 1024 columns (the limit of a row)',
    );
    expect(readSheet([Buffer.from(sheet(`<row r="2">${'<c><v>1</v></c>'.repeat(1024)}</row>`))])[0][1]).toHaveLength(
      1024,
    );
  });

  it('refuses a row whose cells hold more than 1 MiB of characters together (a long shared string repeated)', () => {
    const long = ['x'.repeat(300_000)];
    const rows: number[] = [];
    const scanner = new XmlScanner(
      new SheetRowCollector({ decimalSeparator: ',', strings: { get: (i) => long[i] ?? '' } }, (rowNo) =>
        rows.push(rowNo),
      ),
    );
    scanner.write(Buffer.from(sheet(`<row r="1">${'<c t="s"><v>0</v></c>'.repeat(3)}</row>`)));
    expect(rows).toEqual([1]);
    const again = new XmlScanner(
      new SheetRowCollector({ decimalSeparator: ',', strings: { get: (i) => long[i] ?? '' } }, () => undefined),
    );
    expect(() => again.write(Buffer.from(sheet(`<row r="7">${'<c t="s"><v>0</v></c>'.repeat(4)}</row>`)))).toThrow(
      'row 7 has more than 1048576 characters (the limit of a row)',
    );
  });

  it('refuses a cell beyond column XFD instead of padding a huge row', () => {
    expect(() => readSheet([Buffer.from(sheet('<row r="1"><c r="ZZZZ1"><v>1</v></c></row>'))])).toThrow(
      'row 1 has a cell beyond column XFD',
    );
  });
});

describe(columnOf.name, () => {
  it('reads the column letters of a reference', () => {
    expect([
      columnOf('A1'),
      columnOf('Z9'),
      columnOf('AA10'),
      columnOf('xfd1'),
      columnOf('7'),
      columnOf(undefined),
    ]).toEqual([0, 25, 26, 16_383, undefined, undefined]);
  });
});
