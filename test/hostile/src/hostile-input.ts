import fc from 'fast-check';
import type { Operation, Schema } from './operations';

/** One request the suite sends. `body` is raw text (so broken JSON can be sent too). */
export interface HostileRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** What was hostile about it, for the report. */
  label: string;
}

/** Text PostgreSQL refuses or that breaks naive code: NUL, lone surrogates, control characters, sizes. */
const badText = fc.oneof(
  fc.constantFrom(
    'a\u0000b',
    '\u0000',
    '\ud800',
    'x\udfffy',
    '\u0001\u0002\u001b[31m',
    '\r\n\t',
    '\u202e\u200b\ufeff',
    '../../etc/passwd',
    "' OR 1=1 --",
    '%s%n%x',
    '${jndi:ldap://x}',
    '😀'.repeat(50),
    '',
    ' ',
  ),
  fc.integer({ min: 1_000, max: 70_000 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Numbers no column holds, and numbers that are not numbers. */
const badNumber = fc.constantFrom(
  1e20,
  -1e20,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  -(2 ** 63),
  1e308,
  -1,
  0,
  0.5,
  Number.MAX_SAFE_INTEGER,
);

/** Query and path text that is not what a number, date or id parameter wants. */
const badParamText = fc.oneof(
  fc.constantFrom(
    '1e20',
    '1e400',
    '-1',
    '0',
    '99999999999999999999',
    '-9223372036854775809',
    'NaN',
    'Infinity',
    '1.5',
    '0x10',
    '١٢',
    'null',
    'true',
    '[]',
    '{}',
    '2025-02-30',
    '9999-99-99T99:99:99Z',
  ),
  badText,
);

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * Numbers as text, mostly beyond any integer column yet short enough for a length limit: integers
 * around the int and bigint bounds, exponents (1e20), doubles as JavaScript prints them.
 */
const numericText = fc.oneof(
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
  fc.bigInt({ min: 2n ** 31n - 2n, max: 2n ** 31n + 2n }).map(String),
  fc
    .tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: 10, max: 400 }))
    .map(([mantissa, exponent]) => `${mantissa}e${exponent}`),
  fc.double().map(String),
);

/**
 * Cursors a keyset list might decode: base64url of JSON or of `at|id` text whose parts no column
 * holds (NUL, lone surrogates, Feb 30, year 0, ids beyond bigint), numeric text for lists keyed by
 * id, and garbled text.
 */
const forgedCursor = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      ...[
        '{}',
        '[]',
        'null',
        '1e400',
        '{"o":"item_no","d":"a","k":"\\u0000"}',
        '{"o":"title","d":"b","v":"\\ud800","k":"x"}',
        '{"o":"updated_at","d":"a","v":"2025-02-30T00:00:00.000000Z","k":"x"}',
        '{"o":"-updated_at","d":"b","v":"0000-01-01T00:00:00.000000Z","k":"x"}',
        `{"o":"item_no","d":"a","k":"${'x'.repeat(70)}"}`,
        '{"o":"item_no","d":"a","k":1e20}',
        '{"o":"__proto__","d":"a","k":"x"}',
        '1|audit:1',
        '2025-02-30T00:00:00.000Z|audit:1',
        '0000-01-01T00:00:00.000Z|audit:1',
        '+275760-09-13T00:00:00.000Z|audit:1',
        '2025-01-01T00:00:00.000Z|audit:1\u0000',
        '2025-01-01T00:00:00.000Z|audit:99999999999999999999',
      ].map(base64url),
      '=',
      '====',
      '!!',
      'a'.repeat(5_000),
    ),
  },
  { weight: 2, arbitrary: numericText },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map(base64url) },
  {
    weight: 1,
    arbitrary: fc
      .dictionary(
        fc.constantFrom('o', 'd', 'v', 'k', 'id', 'at'),
        fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.integer(), fc.double(), fc.constant(null)),
        { maxKeys: 4 },
      )
      .map((o) => base64url(JSON.stringify(o))),
  },
  { weight: 1, arbitrary: badParamText },
);

/** Orderings no list offers: unknown, doubled signs, several at once, injection. */
const badOrdering = fc.oneof(
  fc.constantFrom('-', '--title', '+title', 'title,-title', 'nope', '-nope', 'id;DROP TABLE x', '__proto__', 'ID'),
  badParamText,
);

/** Counts and page numbers beyond any column, or not whole numbers. */
const badCount = fc.oneof(
  fc.constantFrom('2147483648', '9223372036854775808', '-0', '1e-5', '0.0', '1,5', '10 ', '', '00000000000000000001'),
  numericText,
  badParamText,
);

/** Times PostgreSQL refuses though JavaScript or a date-time format may take them. */
const badTime = fc.oneof(
  fc.constantFrom(
    '0000-01-01',
    '0000-01-01T00:00:00Z',
    '2016-12-31T23:59:60Z',
    '+275760-09-13T00:00:00Z',
    '-271821-04-20T00:00:00Z',
    '10000-01-01',
    '9999-12-31T23:59:59.999-23:59',
    '0001-01-01T00:00:00+23:59',
    '1970-01-01T00:00:00+25:00',
    '99999999999999d',
    '1',
  ),
  badParamText,
);

/** Bad values fitted to what a query parameter of this name is for (list parameters especially). */
function badQueryValue(name: string): fc.Arbitrary<string> {
  if (/cursor/.test(name)) return forgedCursor;
  if (/^(ordering|order|sort)$/.test(name)) return badOrdering;
  if (/^(limit|page|page_size|per_page|offset)$/.test(name)) return badCount;
  if (/since|until|as_of|after|before|from|_to$|date/.test(name)) return badTime;
  return badParamText;
}

/** Parameters of list routes, sent to every GET whether it declares them or not. */
const LIST_PARAMS = ['cursor', 'limit', 'page', 'page_size', 'ordering', 'offset'];

/** An object nested `depth` levels deep (built iteratively; it reaches the server as JSON text). */
function deepValue(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** A JSON value of the wrong kind, size or depth for whatever the field wanted. */
const badJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  badText,
  fc.integer({ min: 100, max: 3_000 }).map(deepValue),
  badNumber,
  fc.constantFrom(null, true, false, [], {}, [null], { $gt: '' }, { __proto__: { admin: true } }),
  fc.array(badText, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), badText, { maxKeys: 3 }),
);

/** A value of the schema's own kind, so that one bad field is what the route must refuse. */
function plausible(schema: Schema | undefined): unknown {
  if (!schema) return 'x';
  const anyOf = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (anyOf?.length) return plausible(anyOf.find((s) => s.type !== 'null') ?? anyOf[0]);
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  if ('example' in schema) return schema.example;
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      return [plausible(schema.items as Schema)];
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      return Object.fromEntries(Object.entries(props).map(([k, s]) => [k, plausible(s)]));
    }
    default:
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (schema.format === 'date') return '2025-01-01';
      if (schema.format === 'date-time') return '2025-01-01T00:00:00Z';
      return 'x';
  }
}

const nested = (depth: number, open: string, close: string, leaf: string) =>
  open.repeat(depth) + leaf + close.repeat(depth);

/** Bodies no JSON route should parse into a 500: depth, broken syntax, odd encodings, types. */
const rawBodies = fc.oneof(
  fc
    .integer({ min: 1_000, max: 20_000 })
    .map((d) => ({ text: nested(d, '[', ']', '1'), label: `array nested ${d} deep` })),
  fc
    .integer({ min: 1_000, max: 20_000 })
    .map((d) => ({ text: nested(d, '{"a":', '}', '1'), label: `object nested ${d} deep` })),
  fc.constantFrom(
    { text: '{"a":', label: 'truncated JSON' },
    { text: '{"a":1,"a":2}', label: 'duplicate keys' },
    { text: '1e99999', label: 'a number beyond double' },
    { text: '"\\ud800"', label: 'an escaped lone surrogate' },
    { text: '{"\\u0000":"\\u0000"}', label: 'escaped NUL in key and value' },
    { text: '{"__proto__":{"isAdmin":true}}', label: 'prototype poisoning' },
    { text: '{"constructor":{"prototype":{"x":1}}}', label: 'constructor poisoning' },
    { text: '\ufeff{}', label: 'a BOM before JSON' },
    { text: 'null', label: 'null body' },
    { text: '[]', label: 'array body' },
    { text: '"text"', label: 'string body' },
  ),
);

/** Percent-encoding that keeps a lone surrogate as the bytes it would have in WTF-8 (invalid UTF-8). */
function encode(text: string): string {
  return text
    .split(/([\ud800-\udfff])/)
    .map((part) => {
      if (part.length !== 1 || part.charCodeAt(0) < 0xd800 || part.charCodeAt(0) > 0xdfff) {
        try {
          return encodeURIComponent(part);
        } catch {
          return '';
        }
      }
      const c = part.charCodeAt(0);
      return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    })
    .join('');
}

/** Fills a route template's parameters. */
function urlOf(op: Operation, path: Record<string, string>, query: [string, string][]): string {
  let url = op.path.replace(/:([A-Za-z_]+)/g, (_, name: string) => encode(path[name] ?? 'x'));
  if (url.endsWith('*')) url = `${url.slice(0, -1)}x`;
  const search = query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  return search ? `${url}?${search}` : url;
}

/**
 * Hostile requests for one operation, `runs` of them, reproducible by `seed`: each one bad part —
 * a path or query parameter, one body field, the whole body (depth, syntax) or its content type.
 */
export function hostileRequests(op: Operation, runs: number, seed: number): HostileRequest[] {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const okPath = Object.fromEntries(pathParams.map((p) => [p.name, String(plausible(p.schema))]));
  const body = op.body ? (plausible(op.body) as Record<string, unknown>) : undefined;
  const bodyFields = op.body && typeof body === 'object' && body !== null ? Object.keys(body) : [];
  const json = { 'content-type': 'application/json' };

  const kinds: fc.Arbitrary<HostileRequest>[] = [];
  if (pathParams.length) {
    kinds.push(
      fc.tuple(fc.constantFrom(...pathParams), badParamText).map(([p, value]) => ({
        method: op.method,
        url: urlOf(op, { ...okPath, [p.name]: value }, []),
        headers: body ? json : {},
        body: body ? JSON.stringify(body) : undefined,
        label: `path ${p.name}=${JSON.stringify(value).slice(0, 40)}`,
      })),
    );
  }
  const queryNames = queryParams.length ? queryParams.map((p) => p.name) : ['page', 'x'];
  const listNames = op.method === 'GET' ? LIST_PARAMS.filter((n) => !queryNames.includes(n)) : [];
  kinds.push(
    fc
      .constantFrom(...queryNames, ...listNames)
      .chain((name) => fc.tuple(fc.constant(name), fc.array(badQueryValue(name), { minLength: 1, maxLength: 2 })))
      .map(([name, values]) => ({
        method: op.method,
        url: urlOf(
          op,
          okPath,
          values.map((v) => [name, v]),
        ),
        headers: body ? json : {},
        body: body ? JSON.stringify(body) : undefined,
        label: `query ${name}=${JSON.stringify(values).slice(0, 60)}`,
      })),
  );
  if (op.body || op.method !== 'GET') {
    if (bodyFields.length) {
      kinds.push(
        fc.tuple(fc.constantFrom(...bodyFields), badJsonValue).map(([field, value]) => ({
          method: op.method,
          url: urlOf(op, okPath, []),
          headers: json,
          body: JSON.stringify({ ...body, [field]: value }),
          label: `body ${field}=${(JSON.stringify(value) ?? 'undefined').slice(0, 60)}`,
        })),
      );
    }
    kinds.push(
      rawBodies.map(({ text, label }) => ({
        method: op.method,
        url: urlOf(op, okPath, []),
        headers: json,
        body: text,
        label: `body: ${label}`,
      })),
      fc
        .constantFrom(
          { 'content-type': 'text/plain' },
          { 'content-type': 'application/xml' },
          { 'content-type': 'application/json; charset=utf-16' },
          { 'content-type': 'multipart/form-data; boundary=x' },
          { 'content-type': 'application/x-www-form-urlencoded' },
        )
        .map((headers) => ({
          method: op.method,
          url: urlOf(op, okPath, []),
          headers,
          body: Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28, 0x3d, 0x25]),
          label: `content type ${headers['content-type']} with invalid UTF-8`,
        })),
    );
  }
  return fc.sample(fc.oneof(...kinds), { numRuns: runs, seed });
}
