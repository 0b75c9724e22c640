import { MAX_JSON_DEPTH, jsonDepthExceeds } from './body-parsers';

describe(jsonDepthExceeds.name, () => {
  it('counts the nesting of arrays and objects, not brackets inside strings', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonDepthExceeds(`{"a":"${'['.repeat(1000)}"}`)).toBe(false);
    expect(jsonDepthExceeds(`{"a":"\\"${'{'.repeat(1000)}"}`)).toBe(false);
    expect(jsonDepthExceeds(`[${'{"a":'.repeat(10)}1${'}'.repeat(10)}]`, 10)).toBe(true);
  });
});
