import { MONEY, PERCENT, WEIGHT, formatDecimal, isZeroDecimal, parseDecimal } from './decimal';

describe('parseDecimal', () => {
  it.each([
    ['12.5', '12.50'],
    ['12,5', '12.50'],
    [' 7 ', '7.00'],
    [19.99, '19.99'],
    [0, '0.00'],
    ['0007.10', '7.10'],
    ['9999999999.99', '9999999999.99'],
  ])('reads %p as %s', (input, expected) => {
    expect(parseDecimal(input, MONEY)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['12.345', /at most 2 decimal places/],
    ['-1', /negative/],
    ['1e3', /decimal number/],
    ['', /decimal number/],
    ['12345678901', /too large/],
    [Number.NaN, /finite/],
    [true, /decimal number/],
  ])('refuses %p', (input, reason) => {
    const result = parseDecimal(input, MONEY);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('uses the rule scale', () => {
    expect(parseDecimal('0.25', WEIGHT)).toEqual({ ok: true, value: '0.250' });
    expect(parseDecimal('100', PERCENT)).toEqual({ ok: true, value: '100.00' });
  });
});

describe('formatDecimal', () => {
  it.each([
    ['12.5', 2, '12.50'],
    ['7', 2, '7.00'],
    ['1.005', 2, '1.01'],
    ['9.999', 2, '10.00'],
    ['-3.1', 2, '-3.10'],
    ['0.250', 3, '0.250'],
  ])('formats %s with %i decimals as %s', (value, scale, expected) => {
    expect(formatDecimal(value, scale)).toBe(expected);
  });

  it('keeps null', () => {
    expect(formatDecimal(null)).toBeNull();
  });

  it('knows zero', () => {
    expect(isZeroDecimal('0.00')).toBe(true);
    expect(isZeroDecimal('0.01')).toBe(false);
  });
});
