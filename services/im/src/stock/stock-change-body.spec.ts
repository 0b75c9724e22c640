import 'reflect-metadata';
import { createValidationPipe } from '@pjs/http';
import { StockChangeDto } from './dto/stock-change.dto';
import { plainStockChange } from './stock-change-body';

/** What the controller reads from the DTO the global pipe makes of `body`, or 'refused'. */
async function viaPipe(body: unknown): Promise<object | 'refused'> {
  try {
    const dto = (await createValidationPipe().transform(body, {
      type: 'body',
      metatype: StockChangeDto,
    })) as StockChangeDto;
    return {
      item_no: dto.item_no,
      amount: dto.amount,
      // StockService treats null and absent alike (`??` and truthiness).
      order_id: dto.order_id ?? undefined,
      reason: dto.reason ?? undefined,
    };
  } catch {
    return 'refused';
  }
}

const viaLane = (body: unknown): object | 'refused' => {
  const change = plainStockChange(body);
  return change ? { order_id: undefined, reason: undefined, ...change } : 'refused';
};

const ACCEPTED = [
  { item_no: 'A-1', amount: 1 },
  { item_no: 'A-1', amount: 1_000_000 },
  { item_no: '  A-1\t', amount: ' 7 ' },
  { item_no: 12345, amount: '0003' },
  { item_no: -5, amount: 2.0 },
  { item_no: 'A-1', amount: 1, order_id: 'ORD-1', reason: 'found' },
  { item_no: 'A-1', amount: 1, order_id: 987654, reason: '' },
  { item_no: 'A-1', amount: 1, order_id: ' ORD-1 ', reason: null },
  { item_no: 'A-1', amount: 1, order_id: null, extra: { deep: true } },
  { item_no: 'X'.repeat(64), amount: 1, order_id: 'O'.repeat(100), reason: 'r'.repeat(500) },
];

const REFUSED_BY_BOTH = [
  null,
  'text',
  42,
  [],
  [{ item_no: 'A-1', amount: 1 }],
  {},
  { amount: 1 },
  { item_no: 'A-1' },
  { item_no: '', amount: 1 },
  { item_no: '   ', amount: 1 },
  { item_no: 'X'.repeat(65), amount: 1 },
  { item_no: null, amount: 1 },
  { item_no: true, amount: 1 },
  { item_no: 1.5, amount: 1 },
  { item_no: 2 ** 60, amount: 1 },
  { item_no: ['A-1'], amount: 1 },
  { item_no: { no: 'A-1' }, amount: 1 },
  { item_no: 'A-1', amount: 0 },
  { item_no: 'A-1', amount: -1 },
  { item_no: 'A-1', amount: 1.5 },
  { item_no: 'A-1', amount: '1.5' },
  { item_no: 'A-1', amount: '-1' },
  { item_no: 'A-1', amount: '' },
  { item_no: 'A-1', amount: 'many' },
  { item_no: 'A-1', amount: 1_000_001 },
  { item_no: 'A-1', amount: '99999999999999999999' },
  { item_no: 'A-1', amount: null },
  { item_no: 'A-1', amount: true },
  { item_no: 'A-1', amount: [1] },
  { item_no: 'A-1', amount: Number.NaN },
  { item_no: 'A-1', amount: 1, order_id: '' },
  { item_no: 'A-1', amount: 1, order_id: '  ' },
  { item_no: 'A-1', amount: 1, order_id: 'O'.repeat(101) },
  { item_no: 'A-1', amount: 1, order_id: 1.5 },
  { item_no: 'A-1', amount: 1, order_id: false },
  { item_no: 'A-1', amount: 1, reason: 'r'.repeat(501) },
  { item_no: 'A-1', amount: 1, reason: 5 },
  { item_no: 'A-1', amount: 1, reason: ['why'] },
];

describe(plainStockChange.name, () => {
  it.each(ACCEPTED.map((body) => [JSON.stringify(body).slice(0, 80), body]))(
    'accepts %s with the values the ValidationPipe delivers',
    async (_label, body) => {
      const lane = viaLane(body);
      expect(lane).not.toBe('refused');
      expect(lane).toEqual(await viaPipe(body));
    },
  );

  it.each(REFUSED_BY_BOTH.map((body) => [JSON.stringify(body).slice(0, 80), body]))(
    'refuses %s, as the ValidationPipe does',
    async (_label, body) => {
      expect(viaLane(body)).toBe('refused');
      expect(await viaPipe(body)).toBe('refused');
    },
  );

  it('hands over what only the pipe can judge: 64 characters that are more than 64 UTF-16 units', async () => {
    const body = { item_no: '\u{1F600}'.repeat(40), amount: 1 };
    expect(viaLane(body)).toBe('refused');
    expect(await viaPipe(body)).not.toBe('refused');
  });

  it('never accepts what the pipe refuses, over generated bodies', async () => {
    const values: unknown[] = [
      undefined,
      null,
      true,
      0,
      1,
      -1,
      1.5,
      64,
      1_000_000,
      1_000_001,
      2 ** 53,
      '',
      ' ',
      '1',
      ' 2 ',
      '1e3',
      '0x10',
      'A-1',
      ' A-1 ',
      'x'.repeat(64),
      'x'.repeat(65),
      'o'.repeat(100),
      'o'.repeat(101),
      [],
      {},
      ['1'],
    ];
    let accepted = 0;
    for (const item_no of values) {
      for (const amount of values) {
        for (const order_id of values) {
          const body = { item_no, amount, order_id, reason: typeof order_id === 'string' ? order_id : undefined };
          const lane = viaLane(body);
          if (lane === 'refused') continue;
          accepted += 1;
          expect({ body, lane }).toEqual({ body, lane: await viaPipe(body) });
        }
      }
    }
    expect(accepted).toBeGreaterThan(100);
  });
});
