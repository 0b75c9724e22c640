import { INT_MAX, INT_MIN, compileBodySchema } from './schema-compiler';

describe('the edge rules of every schema', () => {
  const validate = compileBodySchema<{ n?: number; b?: number; x?: number }>({
    type: 'object',
    properties: { n: { type: 'integer' }, b: { type: 'integer', minimum: 0, maximum: 2 ** 40 }, x: { type: 'number' } },
  });

  it('keeps integers without declared bounds within PostgreSQL integer', () => {
    expect(validate({ n: INT_MAX })).toBe(true);
    expect(validate({ n: INT_MIN })).toBe(true);
    expect(validate({ n: INT_MAX + 1 })).toBe(false);
    expect(validate({ n: '1e20' })).toBe(false);
    expect(validate({ n: INT_MIN - 1 })).toBe(false);
    // Declared bounds win.
    expect(validate({ b: 2 ** 35 })).toBe(true);
  });

  it('refuses numbers that are not finite (1e400 coerces to Infinity)', () => {
    expect(validate({ x: '1e400' })).toBe(false);
    expect(validate({ b: '1e400' })).toBe(false);
    expect(validate({ x: 1.5 })).toBe(true);
  });
});
