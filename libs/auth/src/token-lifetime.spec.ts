import { MAX_TOKEN_LIFETIME_DAYS, parseTokenLifetime } from './token-lifetime';

describe('parseTokenLifetime', () => {
  it('reads durations up to the maximum', () => {
    expect(parseTokenLifetime('90d')).toBe(90 * 86_400_000);
    expect(parseTokenLifetime('12h')).toBe(12 * 3_600_000);
    expect(parseTokenLifetime(`${MAX_TOKEN_LIFETIME_DAYS}d`)).toBe(MAX_TOKEN_LIFETIME_DAYS * 86_400_000);
  });

  it('refuses what is not a positive duration within the maximum', () => {
    for (const text of ['', 'soon', '0', '0d', '-1d', `${MAX_TOKEN_LIFETIME_DAYS + 1}d`, '1e400d', '99999999999999d'])
      expect(parseTokenLifetime(text)).toBeUndefined();
  });
});
