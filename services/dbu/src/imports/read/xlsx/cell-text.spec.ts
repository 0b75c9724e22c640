import { cellText, numberText } from './cell-text';

const strings = { get: (i: number) => ['null', 'eins'][i] ?? '' };
const comma = { decimalSeparator: ',' as const, strings };
const point = { decimalSeparator: '.' as const, strings };

describe(cellText.name, () => {
  it('reads each cell type the way the CSV of the same sheet reads', () => {
    expect(cellText('s', '1', comma)).toBe('eins');
    expect(cellText('s', '7', comma)).toBe('');
    expect(cellText('str', ' a ', comma)).toBe(' a ');
    expect(cellText('inlineStr', 'b', comma)).toBe('b');
    expect([cellText('b', '1', comma), cellText('b', '0', comma)]).toEqual(['TRUE', 'FALSE']);
    expect(cellText('e', '#N/A', comma)).toBe('');
    expect([cellText('n', '12.5', comma), cellText('n', '12.5', point)]).toEqual(['12,5', '12.5']);
  });

  it('turns ISO date cells into Excel day numbers, as date-formatted number cells arrive', () => {
    expect(cellText('d', '2025-03-26', comma)).toBe('45742');
    expect(cellText('d', '2025-03-26T12:00:00Z', comma)).toBe('45742,5');
    expect(cellText('d', '1900-03-01', point)).toBe('61');
    expect(cellText('d', 'someday', point)).toBe('someday');
  });
});

describe(numberText.name, () => {
  it('writes numbers in their shortest form, as exceljs did', () => {
    expect(
      ['1.50', '007', '1E3', '1.5e-7', '0.0000001', '-0', '123456789012345678', ' 4 '].map((n) => numberText(n, '.')),
    ).toEqual(['1.5', '7', '1000', '1.5e-7', '1e-7', '0', '123456789012345680', '4']);
    expect(numberText('', ',')).toBe('');
    expect(numberText('n/a', ',')).toBe('n/a');
  });

  it('gives String(parseFloat(x)) for any number a producer writes', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i += 1) {
      const magnitude = 10 ** Math.floor(random() * 30 - 12);
      const value = (random() - 0.3) * magnitude;
      for (const raw of [
        String(value),
        value.toFixed(Math.floor(random() * 8)),
        value.toPrecision(1 + Math.floor(random() * 17)),
      ]) {
        expect(numberText(raw, '.')).toBe(String(parseFloat(raw)));
      }
    }
  });
});
