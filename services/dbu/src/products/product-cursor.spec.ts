import { decodeProductCursor, encodeProductCursor, type ProductCursor } from './product-cursor';

describe('product list cursors', () => {
  it.each<ProductCursor>([
    { ordering: 'item_no', direction: 'after', key: { itemNo: 'A-1' } },
    { ordering: '-title', direction: 'before', key: { value: 'Ñandú "Plush" 🦤', itemNo: 'B/2' } },
    { ordering: 'updated_at', direction: 'after', key: { value: '2024-02-29T23:59:59.999999Z', itemNo: 'C' } },
  ])('round-trip through opaque base64url text: %j', (cursor) => {
    const text = encodeProductCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeProductCursor(text)).toEqual(cursor);
  });

  it.each([
    '',
    '%%%',
    Buffer.from('null').toString('base64url'),
    Buffer.from('{"o":"title","d":"a","v":"x","k":""}').toString('base64url'),
    Buffer.from('{"o":"updated_at","d":"a","v":"2023-02-29T00:00:00.000000Z","k":"A"}').toString('base64url'),
    Buffer.from(`{"o":"item_no","d":"b","k":"${'x'.repeat(65)}"}`).toString('base64url'),
  ])('refuse text that is not a cursor of the list (%s)', (text) => {
    expect(decodeProductCursor(text)).toBeUndefined();
  });
});
