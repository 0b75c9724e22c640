import { orderReceivedSchema } from '@pjs/contracts';
import { OrderValidationError, parseReceivePayload } from './receive.schema';

const fields = (payload: unknown): string[] => {
  try {
    parseReceivePayload(payload);
  } catch (err) {
    if (err instanceof OrderValidationError) return err.errors.map((e) => e.field);
    throw err;
  }
  return [];
};

describe('parseReceivePayload', () => {
  const mailBot = {
    order_number: '1234',
    items: [
      {
        item_no: 'ABC-001',
        title: 'Widget',
        price: '12.50',
        discount: '5%',
        quantity: '2',
        uom: 'stk',
        total: '25.00',
      },
    ],
  };

  it('normalises the MailBot payload of contracts.md', () => {
    expect(parseReceivePayload(mailBot)).toEqual({
      orderNumber: '1234',
      supplier: null,
      lines: [
        {
          lineNo: 1,
          itemNo: 'ABC-001',
          title: 'Widget',
          priceCents: 1250n,
          quantity: 2,
          uom: 'stk',
          totalCents: 2500n,
          discountPercentHundredths: 500n,
          discountCents: 125n,
        },
      ],
    });
  });

  it('accepts what the @pjs/contracts schema accepts for the MailBot payload', () => {
    expect(orderReceivedSchema.safeParse(mailBot).success).toBe(true);
  });

  it('defaults the unit, the title and the total; an amount discount applies to the whole line', () => {
    const order = parseReceivePayload({
      order_number: 77,
      items: [{ item_no: 'X', price: 2, quantity: 3, discount: 1.5 }],
    });
    expect(order.orderNumber).toBe('77');
    expect(order.lines[0]).toMatchObject({ uom: 'stk', title: '', totalCents: 600n, discountCents: 150n });
  });

  it('trims text and drops keys it does not know', () => {
    const order = parseReceivePayload({
      order_number: ' 12 ',
      supplier: '  ',
      items: [{ item_no: ' X-1 ', title: ' Thing ', price: '1', quantity: '3', uom: ' ', colour: 'red' }],
    });
    expect(order).toMatchObject({ orderNumber: '12', supplier: null });
    expect(order.lines[0]).toMatchObject({ itemNo: 'X-1', title: 'Thing', uom: 'stk', quantity: 3 });
  });

  it('treats a blank or null discount as none', () => {
    const order = parseReceivePayload({
      order_number: '1',
      items: [{ item_no: 'X', price: '1', quantity: 1, discount: null }],
    });
    expect(order.lines[0]).toMatchObject({ discountCents: 0n, discountPercentHundredths: null });
    expect(fields({ order_number: '1', items: [{ item_no: 'X', price: '1', quantity: 1, discount: ' ' }] })).toEqual(
      [],
    );
  });

  it.each([
    [undefined, ['body']],
    [{}, ['order_number', 'items']],
    [{ order_number: '1', items: [{}] }, ['items.0.item_no', 'items.0.price', 'items.0.quantity']],
    [{ order_number: '', items: [{ item_no: 'X', price: '1', quantity: '1' }] }, ['order_number']],
    [{ order_number: '1', items: [{ item_no: 'X', price: '1', quantity: 'two' }] }, ['items.0.quantity']],
    [{ order_number: '1', items: [{ item_no: 'X', price: '1', quantity: 1, discount: '5%%' }] }, ['items.0.discount']],
    [
      { order_number: '1', items: [{ item_no: 'X', price: '1', quantity: 1, discount: { pct: 5 } }] },
      ['items.0.discount'],
    ],
    [{ order_number: '1', items: [{ item_no: 'X', price: '1', quantity: 1, uom: 'x'.repeat(21) }] }, ['items.0.uom']],
    [{ order_number: '1', items: [{ item_no: 'X', price: '1', quantity: 1, total: 'lots' }] }, ['items.0.total']],
    [{ order_number: { no: 1 }, items: [{ item_no: 'X', price: '1', quantity: 1 }] }, ['order_number']],
    [{ order_number: '1', items: [{ item_no: '   ', price: '1', quantity: 1 }] }, ['items.0.item_no']],
    [{ order_number: '1', items: [{ item_no: 'X', price: '1.005', quantity: 1 }] }, ['items.0.price']],
    [{ order_number: '1', items: [{ item_no: 'X', price: '2', quantity: 1, discount: '2.01' }] }, ['items.0.discount']],
    [{ order_number: '1', items: [{ item_no: 'X', price: '9999999999', quantity: 200 }] }, ['items.0.price']],
    [
      { order_number: '1', items: [{ item_no: 'X', price: '1', quantity: 1, discount: '100.5%' }] },
      ['items.0.discount'],
    ],
  ])('names the bad fields of %j', (payload, expected) => {
    expect(fields(payload)).toEqual(expected);
  });
});
