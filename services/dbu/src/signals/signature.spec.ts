import { signSignal, verifySignal } from './signature';

describe('signal signature', () => {
  const secret = 'a-secret-of-sixteen+';
  const body = '{"type":"dbu.catalogue.imported"}';
  const now = 1_700_000_000_000;

  it('verifies what it signed and refuses changed bodies, wrong secrets and old timestamps', () => {
    const timestamp = String(now / 1000);
    const signature = signSignal(secret, timestamp, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignal(secret, { timestamp, signature }, body, 300, now)).toBe(true);
    expect(verifySignal(secret, { timestamp, signature }, body.replace('dbu', 'xxx'), 300, now)).toBe(false);
    expect(verifySignal('another-secret-16ch', { timestamp, signature }, body, 300, now)).toBe(false);
    expect(verifySignal(secret, { timestamp, signature }, body, 300, now + 301_000)).toBe(false);
    expect(verifySignal(secret, { timestamp }, body, 300, now)).toBe(false);
  });
});
