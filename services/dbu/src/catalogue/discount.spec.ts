import { discountColumns, parseDiscount } from './discount';

describe('parseDiscount', () => {
  it.each([
    ['5%', { type: 'percent', value: '5.00' }],
    ['5,5 %', { type: 'percent', value: '5.50' }],
    ['100%', { type: 'percent', value: '100.00' }],
    ['2.50', { type: 'amount', value: '2.50' }],
    ['2,5 €', { type: 'amount', value: '2.50' }],
    ['€ 3', { type: 'amount', value: '3.00' }],
    ['4 EUR', { type: 'amount', value: '4.00' }],
    [1.5, { type: 'amount', value: '1.50' }],
  ])('reads %p', (input, discount) => {
    expect(parseDiscount(input)).toEqual({ ok: true, discount });
  });

  it.each([
    [undefined, 'discount is missing'],
    ['', 'discount is missing'],
    ['101%', 'discount percentage must be at most 100'],
    ['-5%', 'discount percentage must not be negative'],
    ['5.555%', 'discount percentage must have at most 2 decimal places'],
    ['lots', 'discount amount must be a decimal number like 12.50'],
    [{ value: 5 }, 'discount must be a string like "5%" or "2.50"'],
  ])('refuses %p', (input, reason) => {
    expect(parseDiscount(input)).toEqual({ ok: false, reason });
  });

  it('maps to exactly one column', () => {
    expect(discountColumns({ type: 'percent', value: '5.00' })).toEqual({ percent: '5.00', amount: null });
    expect(discountColumns({ type: 'amount', value: '2.50' })).toEqual({ percent: null, amount: '2.50' });
    expect(discountColumns(null)).toEqual({ percent: null, amount: null });
  });
});
