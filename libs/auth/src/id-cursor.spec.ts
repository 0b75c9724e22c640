import { FieldValidationException } from '@pjs/http';
import { idCursor } from './id-cursor';

describe(idCursor.name, () => {
  it('starts at 0 without a cursor and reads the ids the next links hand out', () => {
    expect(idCursor(undefined)).toBe(0);
    expect(idCursor('')).toBe(0);
    expect(idCursor('1')).toBe(1);
    expect(idCursor('2147483647')).toBe(2_147_483_647);
  });

  it.each([
    '1e20',
    '-9223372036854775809',
    '2147483648',
    '9999999999',
    '99999999999999999999',
    '-1',
    '0',
    '007',
    '1.5',
    '1.0',
    '0x10',
    ' 1',
    '1 ',
    '+1',
    'NaN',
    'Infinity',
    '١٢',
    'a\u0000b',
  ])('refuses %j naming cursor', (text) => {
    expect(() => idCursor(text)).toThrow(FieldValidationException);
    expect(() => idCursor(text)).toThrow('cursor: is not a cursor of this list');
  });
});
