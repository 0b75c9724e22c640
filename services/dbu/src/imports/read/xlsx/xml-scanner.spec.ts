import { XmlScanner, type TagAttributes, type XmlHandler } from './xml-scanner';
import { decodeXmlText } from './xml-text';

/** Writes down what the scanner reports; neighbouring text pieces are joined (they may come split). */
class Recorder implements XmlHandler {
  readonly wantsText = true;
  readonly events: string[] = [];

  constructor(private readonly attributeNames: string[] = []) {}

  open(name: string, attributes: TagAttributes): void {
    const shown = this.attributeNames.map((a) => `${a}=${attributes.get(a) ?? '-'}`);
    this.events.push(`<${name}${shown.length ? ` ${shown.join(' ')}` : ''}>`);
  }

  close(name: string): void {
    this.events.push(`</${name}>`);
  }

  text(text: string): void {
    const last = this.events.length - 1;
    if (last >= 0 && this.events[last].startsWith('"')) this.events[last] = `${this.events[last].slice(0, -1)}${text}"`;
    else this.events.push(`"${text}"`);
  }
}

function scanChunks(chunks: Uint8Array[], attributeNames?: string[]): string[] {
  const recorder = new Recorder(attributeNames);
  const scanner = new XmlScanner(recorder);
  for (const chunk of chunks) scanner.write(chunk);
  scanner.end();
  return recorder.events;
}

/** The same document cut in two at every byte, and in three at every pair of bytes for short ones. */
function everySplit(xml: string): Uint8Array[][] {
  const bytes = Buffer.from(xml, 'utf8');
  const splits: Uint8Array[][] = [];
  for (let i = 0; i <= bytes.length; i += 1) splits.push([bytes.subarray(0, i), bytes.subarray(i)]);
  if (bytes.length <= 120) {
    for (let i = 1; i < bytes.length; i += 1) {
      for (let j = i + 1; j < bytes.length; j += 1) {
        splits.push([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
      }
    }
  }
  splits.push(Array.from(bytes, (b) => Uint8Array.of(b))); // one byte at a time
  return splits;
}

describe(XmlScanner.name, () => {
  const xml =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<!-- a comment with <tags> inside -->' +
    '<x:sheet xmlns:x="urn:x" a="1 &amp; 2" b=\'say "hi"\' c = "a>b">' +
    '<x:row r="1"><c r="A1" t="s"/><c r="B1"><v>Größe &lt;3&gt; &#10;&#x1F600; 😀</v></c></x:row>' +
    '<t xml:space="preserve">  two  spaces  </t>' +
    '<t><![CDATA[raw <b>&amp;</b>]]></t>' +
    '<row\n  r="2"\n/>' +
    '</x:sheet >';

  const expected = [
    '<sheet a=1 & 2 b=say "hi" c=a>b r=- t=->',
    '<row a=- b=- c=- r=1 t=->',
    '<c a=- b=- c=- r=A1 t=s>',
    '</c>',
    '<c a=- b=- c=- r=B1 t=->',
    '<v a=- b=- c=- r=- t=->',
    '"Größe <3> \n😀 😀"',
    '</v>',
    '</c>',
    '</row>',
    '<t a=- b=- c=- r=- t=->',
    '"  two  spaces  "',
    '</t>',
    '<t a=- b=- c=- r=- t=->',
    '"raw <b>&amp;</b>"',
    '</t>',
    '<row a=- b=- c=- r=2 t=->',
    '</row>',
    '</sheet>',
  ];

  function withoutWhitespaceText(events: string[]): string[] {
    return events.filter((e) => !/^"\s*"$/.test(e) || e === '"  two  spaces  "');
  }

  it('reports elements without prefix, decoded attributes and text, comments and declarations skipped', () => {
    const events = scanChunks([Buffer.from(xml)], ['a', 'b', 'c', 'r', 't']);
    expect(withoutWhitespaceText(events)).toEqual(expected);
  });

  it('reports the same wherever the bytes are cut: inside tags, references, CDATA and UTF-8 characters', () => {
    for (const chunks of everySplit(xml)) {
      expect(withoutWhitespaceText(scanChunks(chunks, ['a', 'b', 'c', 'r', 't']))).toEqual(expected);
    }
  });

  it('reports the same for a short document cut in three at every pair of positions', () => {
    const short = '<a:v k="&amp;\'">&#x1F600;ä<![CDATA[<]]>&lt;</a:v>';
    for (const chunks of everySplit(short)) {
      expect(scanChunks(chunks, ['k'])).toEqual(["<v k=&'>", '"😀ä<<"', '</v>']);
    }
  });

  it('keeps a lone ampersand and unknown references as written', () => {
    expect(scanChunks([Buffer.from('<t>Tom & Jerry &nbsp; &#xZZ; &#99999999;</t>')])).toEqual([
      '<t>',
      '"Tom & Jerry &nbsp; &#xZZ; &#99999999;"',
      '</t>',
    ]);
  });

  it('lists every attribute of a tag for the small parts', () => {
    const found: Map<string, string>[] = [];
    const scanner = new XmlScanner({
      wantsText: false,
      open: (_name, attributes) => found.push(attributes.all()),
      close: () => undefined,
      text: () => undefined,
    });
    scanner.push('<sheet name="A &amp; B" sheetId="2" r:id=\'rId5\'/>');
    scanner.end();
    expect(found).toEqual([
      new Map([
        ['name', 'A & B'],
        ['sheetId', '2'],
        ['r:id', 'rId5'],
      ]),
    ]);
  });

  it('refuses a document that ends inside a tag', () => {
    const scanner = new XmlScanner(new Recorder());
    scanner.push('<row><c r="A1');
    expect(() => scanner.end()).toThrow('the XML ends inside a tag');
  });
});

describe(decodeXmlText.name, () => {
  it('resolves the five entities and numeric references, and leaves text without any untouched', () => {
    expect(decodeXmlText('&lt;&gt;&amp;&quot;&apos;')).toBe('<>&"\'');
    expect(decodeXmlText('a&#10;b&#x9;c&#x1f600;')).toBe('a\nb\tc😀');
    expect(decodeXmlText('&amp;lt;')).toBe('&lt;'); // decoded once, not twice
    expect(decodeXmlText('plain')).toBe('plain');
    expect(decodeXmlText('AT&T; R&D')).toBe('AT&T; R&D');
  });
});
