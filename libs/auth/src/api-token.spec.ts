import { generateToken, hashToken, tokenFromAuthorizationHeader } from './api-token';
import { hashPassword, verifyPassword } from './password-hasher';

describe('api tokens', () => {
  it('reads the Token and Bearer forms, case-insensitively, and nothing else', () => {
    expect(tokenFromAuthorizationHeader('Token abc')).toBe('abc');
    expect(tokenFromAuthorizationHeader('bearer abc')).toBe('abc');
    expect(tokenFromAuthorizationHeader('Basic abc')).toBeUndefined();
    expect(tokenFromAuthorizationHeader(undefined)).toBeUndefined();
  });

  it('generates distinct tokens and hashes them as hex SHA-256', () => {
    const a = generateToken();
    expect(a).not.toBe(generateToken());
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('password hashes', () => {
  it('verifies the right password only', async () => {
    const hash = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('wrong horse', hash)).toBe(false);
    expect(await verifyPassword('correct horse', 'md5$abc')).toBe(false);
  });
});
