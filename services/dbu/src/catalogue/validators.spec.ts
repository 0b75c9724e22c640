import { cleanName, nameKey } from './name-key';
import { isCalendarDate, isItemNumber, splitItemNumbers } from './validators';
import { isEuCountry } from './gpsr';

describe('catalogue value rules', () => {
  it.each(['ABC-001', 'a', '12345', 'SW 001', 'x'.repeat(64), 'Ü-1.2_3'])('accepts item number %s', (v) => {
    expect(isItemNumber(v)).toBe(true);
  });

  it.each(['', ' A', 'A ', 'A/B', 'A?B', 'A#B', 'A%B', 'A\\B', 'A\nB', 'x'.repeat(65)])(
    'refuses item number %p',
    (v) => {
      expect(isItemNumber(v)).toBe(false);
    },
  );

  it('splits batches, dropping blanks and duplicates', () => {
    expect(splitItemNumbers(' A, B,,A ,C ')).toEqual(['A', 'B', 'C']);
  });

  it('checks calendar dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2024-2-1')).toBe(false);
  });

  it('keys names case- and blank-insensitively', () => {
    expect(nameKey('  Star   WARS ')).toBe('star wars');
    expect(nameKey('Ｈａｓｂｒｏ')).toBe('hasbro');
    expect(cleanName(' Star   Wars ')).toBe('Star Wars');
  });

  it('knows EU countries', () => {
    expect(isEuCountry('de')).toBe(true);
    expect(isEuCountry('CN')).toBe(false);
    expect(isEuCountry(null)).toBe(false);
  });
});
