import { auth, startImWeb, type ImWebHarness } from '../factories/im-web.factory';
import { ledgerOf, line, mailBotPayload, uniqueItemNo, uniqueOrderNumber } from '../factories/orders.factory';

describe('POST /api/receive/', () => {
  let h: ImWebHarness;

  beforeAll(async () => {
    h = await startImWeb('im_receive', { BODY_LIMIT: '64kb' });
  });
  afterAll(() => h.close());

  const receive = (body: unknown, user = h.user) =>
    h
      .http()
      .post('/api/receive/')
      .set(auth(user))
      .send(body as object);

  it('accepts the MailBot payload with string numbers and a "5%" discount', async () => {
    const payload = mailBotPayload();
    const res = await receive(payload);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ status: 'created' });

    const itemNo = payload.items[0].item_no;
    const [order] = await h.dataSource.query(
      `SELECT o.order_number, o.source, o.actor, l.price::text, l.discount_percent::text, l.discount_amount::text,
              l.quantity, l.uom, l.total::text, l.net_amount::text, l.title
         FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.order_number = $1`,
      [payload.order_number],
    );
    expect(order).toEqual({
      order_number: payload.order_number,
      source: 'http',
      actor: h.user.username,
      price: '12.50',
      discount_percent: '5.00',
      discount_amount: '1.25',
      quantity: 2,
      uom: 'stk',
      total: '25.00',
      net_amount: '23.75',
      title: 'Widget',
    });
    const [item] = await h.dataSource.query(
      `SELECT title, quantity, unit_price::text, is_visible, is_deleted FROM items WHERE item_no = $1`,
      [itemNo],
    );
    expect(item).toEqual({ title: 'Widget', quantity: 2, unit_price: '12.50', is_visible: true, is_deleted: false });
    expect(await ledgerOf(h.dataSource, itemNo)).toEqual({ quantity: 2, ledgerSum: 2, movements: 1 });
  });

  it('also answers on the path without the trailing slash', async () => {
    const res = await h.http().post('/api/receive').set(auth(h.user)).send(mailBotPayload());
    expect(res.status).toBe(201);
  });

  it('accepts plain numbers, an amount discount and a numeric order number', async () => {
    const itemNo = uniqueItemNo();
    const orderNumber = Math.floor(Math.random() * 1e9);
    const res = await receive({
      order_number: orderNumber,
      supplier: 'ACME GmbH',
      items: [{ item_no: itemNo, title: 'Gadget', price: 3.5, discount: '1,00', quantity: 4 }],
    });
    expect(res.status).toBe(201);
    const [lineRow] = await h.dataSource.query(
      `SELECT l.discount_percent, l.discount_amount::text, l.total::text, l.net_amount::text, l.uom, o.supplier
         FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.order_number = $1`,
      [String(orderNumber)],
    );
    expect(lineRow).toEqual({
      discount_percent: null,
      discount_amount: '1.00',
      total: '14.00',
      net_amount: '13.00',
      uom: 'stk',
      supplier: 'ACME GmbH',
    });
  });

  it('adds to existing items, merges repeated lines and books one receive movement per item', async () => {
    const itemNo = uniqueItemNo();
    await receive(mailBotPayload({ items: [line({ item_no: itemNo, quantity: 3 })] })).expect(201);
    await receive(
      mailBotPayload({
        items: [line({ item_no: itemNo, quantity: '2', price: '11.00' }), line({ item_no: itemNo, quantity: 5 })],
      }),
    ).expect(201);
    expect(await ledgerOf(h.dataSource, itemNo)).toEqual({ quantity: 10, ledgerSum: 10, movements: 2 });
    const [item] = await h.dataSource.query(`SELECT unit_price::text FROM items WHERE item_no = $1`, [itemNo]);
    expect(item.unit_price).toBe('10.00');
  });

  it('answers 200 with the existing order and changes nothing when the order number comes again', async () => {
    const payload = mailBotPayload();
    await receive(payload).expect(201);
    const again = await receive({ ...payload, items: [line({ item_no: payload.items[0].item_no, quantity: 99 })] });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('exists');
    expect(again.body.order).toMatchObject({
      order_number: payload.order_number,
      source: 'http',
      lines: [
        {
          line_no: 1,
          item_no: payload.items[0].item_no,
          price: '12.50',
          discount_percent: '5.00',
          discount_amount: '1.25',
          quantity: 2,
          total: '25.00',
          net_amount: '23.75',
        },
      ],
    });
    expect(await ledgerOf(h.dataSource, payload.items[0].item_no)).toEqual({
      quantity: 2,
      ledgerSum: 2,
      movements: 1,
    });
  });

  it('creates exactly one order when identical requests race', async () => {
    const payload = mailBotPayload({ items: [line({ quantity: 7 }), line({ quantity: 1 })] });
    const results = await Promise.all(Array.from({ length: 12 }, () => receive(payload)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const [count] = await h.dataSource.query(`SELECT count(*)::int AS n FROM orders WHERE order_number = $1`, [
      payload.order_number,
    ]);
    expect(count.n).toBe(1);
    expect(await ledgerOf(h.dataSource, payload.items[0].item_no)).toEqual({
      quantity: 7,
      ledgerSum: 7,
      movements: 1,
    });
  });

  it('restores a soft-deleted item that is received again', async () => {
    const itemNo = uniqueItemNo();
    await receive(mailBotPayload({ items: [line({ item_no: itemNo, quantity: 2 })] })).expect(201);
    await h.http().delete('/api/delete-item/').set(auth(h.admin)).send({ item_no: itemNo }).expect(200);
    await receive(mailBotPayload({ items: [line({ item_no: itemNo, quantity: 3 })] })).expect(201);
    const types = await h.dataSource.query(
      `SELECT m.type FROM stock_movements m JOIN items i ON i.id = m.item_id WHERE i.item_no = $1 ORDER BY m.id`,
      [itemNo],
    );
    expect(types.map((t: { type: string }) => t.type)).toEqual(['receive', 'delete', 'restore', 'receive']);
    expect(await ledgerOf(h.dataSource, itemNo)).toEqual({ quantity: 5, ledgerSum: 5, movements: 4 });
  });

  describe('validation (400 naming the field)', () => {
    const cases: [string, unknown, string][] = [
      ['a missing order_number', { items: [line()] }, 'order_number'],
      ['missing items', { order_number: uniqueOrderNumber() }, 'items'],
      ['an empty items list', { order_number: uniqueOrderNumber(), items: [] }, 'items'],
      ['a missing item_no', { order_number: uniqueOrderNumber(), items: [line({ item_no: '' })] }, 'items.0.item_no'],
      [
        'a fractional quantity',
        { order_number: uniqueOrderNumber(), items: [line({ quantity: '1.5' })] },
        'items.0.quantity',
      ],
      ['a zero quantity', { order_number: uniqueOrderNumber(), items: [line({ quantity: 0 })] }, 'items.0.quantity'],
      [
        'a word as price',
        { order_number: uniqueOrderNumber(), items: [line(), line({ price: 'cheap' })] },
        'items.1.price',
      ],
      ['a missing price', { order_number: uniqueOrderNumber(), items: [line({ price: undefined })] }, 'items.0.price'],
      ['three decimals', { order_number: uniqueOrderNumber(), items: [line({ price: '1.005' })] }, 'items.0.price'],
      [
        'a percentage above 100',
        { order_number: uniqueOrderNumber(), items: [line({ discount: '150%' })] },
        'items.0.discount',
      ],
      [
        'a discount above the line amount',
        { order_number: uniqueOrderNumber(), items: [line({ discount: '99.00' })] },
        'items.0.discount',
      ],
      [
        'an item_no longer than 64',
        { order_number: uniqueOrderNumber(), items: [line({ item_no: 'X'.repeat(65) })] },
        'items.0.item_no',
      ],
      ['a list instead of an object', [1, 2], 'body'],
    ];
    it.each(cases)('rejects %s', async (_name, body, field) => {
      const res = await receive(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(res.body.message).toContain(`${field}:`);
    });

    it('changes nothing when one line of an order is invalid', async () => {
      const good = uniqueItemNo();
      const payload = { order_number: uniqueOrderNumber(), items: [line({ item_no: good }), line({ quantity: -1 })] };
      await receive(payload).expect(400);
      const rows = await h.dataSource.query(`SELECT 1 FROM items WHERE item_no = $1`, [good]);
      expect(rows).toHaveLength(0);
    });

    it('rejects malformed JSON with 400', async () => {
      const res = await h
        .http()
        .post('/api/receive/')
        .set(auth(h.user))
        .set('Content-Type', 'application/json')
        .send('{"order_number": ');
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
    });
  });

  it('rejects a body above BODY_LIMIT with 413', async () => {
    const items = Array.from({ length: 900 }, () => line({ title: 'T'.repeat(100) }));
    const res = await receive({ order_number: uniqueOrderNumber(), items });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
  });

  it('rejects anonymous and wrong-token calls with 401', async () => {
    const anonymous = await h.http().post('/api/receive/').send(mailBotPayload());
    expect(anonymous.status).toBe(401);
    const wrong = await h.http().post('/api/receive/').set('Authorization', 'Token nope').send(mailBotPayload());
    expect(wrong.status).toBe(401);
  });

  it('accepts the Bearer form of the Authorization header', async () => {
    const res = await h
      .http()
      .post('/api/receive/')
      .set('Authorization', `Bearer ${h.user.token}`)
      .send(mailBotPayload());
    expect(res.status).toBe(201);
  });

  it('counts received orders in /metrics/', async () => {
    const res = await h.http().get('/metrics/');
    expect(res.text).toMatch(/im_orders_received_total\{[^}]*source="http"[^}]*result="created"[^}]*\} \d+/);
    expect(res.text).toMatch(/im_orders_received_total\{[^}]*result="duplicate"[^}]*\} \d+/);
    expect(res.text).toMatch(/im_stock_movements_total\{[^}]*type="receive"[^}]*\} \d+/);
  });
});
