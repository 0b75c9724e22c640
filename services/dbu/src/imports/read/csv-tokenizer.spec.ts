import { CsvRecordTooLongError, CsvTokenizer } from './csv-tokenizer';

function tokenize(
  text: string,
  delimiter = ';',
  chunkSize = text.length || 1,
): { fields: string[]; problem?: string }[] {
  const out: { fields: string[]; problem?: string }[] = [];
  const tokenizer = new CsvTokenizer(delimiter, (fields, problem) =>
    out.push(problem ? { fields, problem } : { fields }),
  );
  for (let i = 0; i < text.length; i += chunkSize) tokenizer.push(text.slice(i, i + chunkSize));
  tokenizer.end();
  return out;
}

describe(CsvTokenizer.name, () => {
  it('splits plain records on the delimiter with LF and CRLF line ends', () => {
    expect(tokenize('a;b;c\r\n1;2;3\n4;;6')).toEqual([
      { fields: ['a', 'b', 'c'] },
      { fields: ['1', '2', '3'] },
      { fields: ['4', '', '6'] },
    ]);
  });

  it('keeps delimiters, doubled quotes and line breaks inside quoted fields', () => {
    expect(tokenize('x;"a;b";"say ""hi""";"line1\r\nline2"\r\ny;"";z;""\r\n')).toEqual([
      { fields: ['x', 'a;b', 'say "hi"', 'line1\r\nline2'] },
      { fields: ['y', '', 'z', ''] },
    ]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const text = 'h1;h2;h3\r\n"q;1";"multi\nline ""x""";plain\r\n2;"";\r\n"end"';
    const whole = tokenize(text);
    for (const size of [1, 2, 3, 5, 7]) expect(tokenize(text, ';', size)).toEqual(whole);
    expect(whole).toHaveLength(4);
    expect(whole[2].fields).toEqual(['2', '', '']);
    expect(whole[3].fields).toEqual(['end']);
  });

  it('emits empty lines as one empty field so row numbers stay those of a spreadsheet', () => {
    expect(tokenize('a\n\nb\n')).toEqual([{ fields: ['a'] }, { fields: [''] }, { fields: ['b'] }]);
  });

  it('keeps a trailing empty field after a final delimiter', () => {
    expect(tokenize('a;b;\n', ';', 4)).toEqual([{ fields: ['a', 'b', ''] }]);
    expect(tokenize('a;b;')).toEqual([{ fields: ['a', 'b', ''] }]);
  });

  it('takes a quote inside an unquoted field literally', () => {
    expect(tokenize('12" Figur;x\n')).toEqual([{ fields: ['12" Figur', 'x'] }]);
  });

  it('flags text after a closing quote and an unclosed quote instead of guessing', () => {
    expect(tokenize('"abc"def;x\nok;y\n')).toEqual([
      { fields: ['abcdef', 'x'], problem: 'unexpected text after a closing quote' },
      { fields: ['ok', 'y'] },
    ]);
    expect(tokenize('ok;"never closed\nmore')).toEqual([
      { fields: ['ok', 'never closed\nmore'], problem: 'a quoted field is not closed' },
    ]);
  });

  it('supports other delimiters', () => {
    expect(tokenize('a,b\t c\n', ',')).toEqual([{ fields: ['a', 'b\t c'] }]);
    expect(tokenize('a\t"b\tc"\n', '\t')).toEqual([{ fields: ['a', 'b\tc'] }]);
  });

  it('bounds memory: a record longer than the limit fails', () => {
    const tokenizer = new CsvTokenizer(';', () => undefined, 100);
    expect(() => {
      for (let i = 0; i < 20; i += 1) tokenizer.push(i === 0 ? '"open' : 'xxxxxxxxxx');
    }).toThrow(CsvRecordTooLongError);
  });

  it('refuses a quote or line break as delimiter', () => {
    expect(() => new CsvTokenizer('"', () => undefined)).toThrow(/invalid CSV delimiter/);
  });
});
