import { compareCursors, decodeCursor, encodeCursor } from './change-cursor';

describe('change cursors', () => {
  it('round-trip through their opaque text', () => {
    const cursor = { txid: 18446744073709551615n, id: 42n };
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it('refuse text that is not a cursor of ours', () => {
    for (const text of ['', 'abc', 'djE6MTox=', encodeCursor({ txid: 1n, id: 1n }) + '!', 'djE6LTE6MQ']) {
      expect(decodeCursor(text)).toBeUndefined();
    }
    expect(decodeCursor(Buffer.from('v1:1:9223372036854775808').toString('base64url'))).toBeUndefined();
  });

  it('order by transaction, then by change within it', () => {
    expect(compareCursors({ txid: 1n, id: 9n }, { txid: 2n, id: 1n })).toBeLessThan(0);
    expect(compareCursors({ txid: 2n, id: 1n }, { txid: 2n, id: 3n })).toBeLessThan(0);
    expect(compareCursors({ txid: 2n, id: 3n }, { txid: 2n, id: 3n })).toBe(0);
  });
});
