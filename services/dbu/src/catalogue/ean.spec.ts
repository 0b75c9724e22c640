import { isValidEan, normalizeEan } from './ean';

describe('isValidEan', () => {
  it.each(['4006381333931', '96385074', '036000291452', '10012345678902', '5901234123457'])('accepts %s', (code) => {
    expect(isValidEan(code)).toBe(true);
  });

  it.each([
    ['a wrong check digit', '4006381333932'],
    ['11 digits', '40063813339'],
    ['letters', '40063813339A'],
    ['blank', ''],
    ['15 digits', '400638133393100'],
  ])('refuses %s', (_label, code) => {
    expect(isValidEan(code)).toBe(false);
  });

  it('trims before checking', () => {
    expect(normalizeEan(' 4006381333931 ')).toBe('4006381333931');
    expect(normalizeEan('4006381333930')).toBeUndefined();
  });
});
