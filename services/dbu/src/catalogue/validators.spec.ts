import { cleanName, nameKey } from './name-key';
import { isCalendarDate, isIsoTimestamp, isItemNumber, splitItemNumbers } from './validators';
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
    expect(isCalendarDate('0000-01-01')).toBe(false);
    expect(isCalendarDate('0001-01-01')).toBe(true);
  });

  it.each(['2024-05-01', '2024-05-01T12:00:00Z', '2024-05-01 12:00:00.123456+02:00', '9999-12-31T23:59:59Z'])(
    'accepts the timestamp filter %s',
    (v) => {
      expect(isIsoTimestamp(v)).toBe(true);
    },
  );

  // Each would reach PostgreSQL as a year it refuses (0000, +010000) once written by toISOString.
  it.each(['0000-01-01', '0001-01-01T00:00:00+23:59', '9999-12-31T23:59:59.999-23:59', '2023-02-29', 'last-week'])(
    'refuses the timestamp filter %s',
    (v) => {
      expect(isIsoTimestamp(v)).toBe(false);
    },
  );

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
