import { MoneyFormatError, formatCents, parseCents, parsePercentHundredths, percentOf } from './money';

describe('money', () => {
  it.each([
    ['12.50', 1250n],
    ['12,5', 1250n],
    [' 7 ', 700n],
    ['0.10', 10n],
    ['1.500', 150n],
    [12.5, 1250n],
    [0.1, 10n],
    [3, 300n],
    ['9999999999.99', 999999999999n],
  ])('parses %p exactly', (input, cents) => {
    expect(parseCents(input)).toBe(cents);
  });

  it.each([['-1'], ['1.005'], ['abc'], [''], ['1e3'], [1e21], [Number.NaN], ['1.2.3'], ['12 50']])(
    'refuses %p',
    (input) => {
      expect(() => parseCents(input)).toThrow(MoneyFormatError);
    },
  );

  it('formats cents with two decimals', () => {
    expect(formatCents(0n)).toBe('0.00');
    expect(formatCents(5n)).toBe('0.05');
    expect(formatCents(123456n)).toBe('1234.56');
    expect(formatCents(-150n)).toBe('-1.50');
  });

  it('takes a percentage rounded half up to cents', () => {
    expect(percentOf(2500n, parsePercentHundredths('5'))).toBe(125n);
    expect(percentOf(999n, parsePercentHundredths('5'))).toBe(50n); // 49.95 → 50
    expect(percentOf(1000n, parsePercentHundredths('33,33'))).toBe(333n);
    expect(() => parsePercentHundredths('100.01')).toThrow(MoneyFormatError);
  });
});
