import { SharedStringCollector } from './shared-string-collector';
import { XmlScanner } from './xml-scanner';

function readStrings(chunks: Uint8Array[]): string[] {
  const found: string[] = [];
  const scanner = new XmlScanner(new SharedStringCollector((text) => found.push(text)));
  for (const chunk of chunks) scanner.write(chunk);
  scanner.end();
  return found;
}

describe(SharedStringCollector.name, () => {
  const xml =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">' +
    '<si><t>Artikelnummer</t></si>' +
    '<si><t/></si>' +
    '<si><r><rPr><b/><sz val="11"/></rPr><t>Fett</t></r><r><t xml:space="preserve"> &amp; dünn </t></r></si>' +
    '<si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="1" type="noConversion"/></si>' +
    '<x:si><x:t>Zeile&#10;zwei 😀</x:t></x:si>' +
    '<si><t><![CDATA[<cdata>]]></t></si>' +
    '</sst>';
  const expected = ['Artikelnummer', '', 'Fett & dünn ', '漢字', 'Zeile\nzwei 😀', '<cdata>'];

  it('reads one string per <si>: runs joined, phonetic runs left out', () => {
    expect(readStrings([Buffer.from(xml)])).toEqual(expected);
  });

  it('reads the same wherever the chunks end', () => {
    const bytes = Buffer.from(xml);
    for (let i = 0; i <= bytes.length; i += 1) {
      expect(readStrings([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(expected);
    }
  });
});
