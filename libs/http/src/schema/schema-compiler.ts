import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { findCheck, isStorableText } from './checks';

type HttpPart = 'body' | 'querystring' | 'params' | 'headers';
type Schema = Record<string, unknown>;

/** Annotations our schemas carry for OpenAPI and error messages; Ajv only has to know them. */
const ANNOTATIONS = ['example', 'errorMessage'];

function createAjv(coerceTypes: boolean | 'array'): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    coerceTypes,
    useDefaults: true,
    removeAdditional: true,
    strict: false,
  });
  addFormats(ajv, ['date', 'date-time', 'uuid', 'uri', 'email']);
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword });
  ajv.addKeyword({
    keyword: 'x-text',
    type: 'string',
    schemaType: 'boolean',
    validate: (_: boolean, data: string) => isStorableText(data),
  });
  ajv.addKeyword({
    keyword: 'x-finite',
    type: 'number',
    schemaType: 'boolean',
    validate: (_: boolean, data: number) => Number.isFinite(data),
  });
  ajv.addKeyword({
    keyword: 'x-check',
    schemaType: 'string',
    compile: (name: string) => {
      const check = findCheck(name);
      return (data: unknown) => check.validate(data);
    },
  });
  return ajv;
}

/** PostgreSQL's `integer`: the column of counts, quantities, pages and ids. */
export const INT_MIN = -(2 ** 31);
export const INT_MAX = 2 ** 31 - 1;

const hasType = (type: unknown, name: string) => type === name || (Array.isArray(type) && type.includes(name));

/**
 * The rules every schema gets at the edge (a copy; the original is documented as is): strings refuse
 * NUL and unpaired surrogates; integers without declared bounds stay within PostgreSQL's `integer`
 * (so `page=1e20` is a 400, not an out-of-range 500); numbers must be finite (`1e400` coerces to
 * Infinity, which Ajv's own integer check lets through).
 */
function withEdgeRules(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withEdgeRules);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = withEdgeRules(value);
  const type = copy.type;
  if (hasType(type, 'string')) copy['x-text'] = true;
  if (hasType(type, 'integer') || hasType(type, 'number')) copy['x-finite'] = true;
  if (hasType(type, 'integer')) {
    if (copy.minimum === undefined && copy.exclusiveMinimum === undefined) copy.minimum = INT_MIN;
    if (copy.maximum === undefined && copy.exclusiveMaximum === undefined) copy.maximum = INT_MAX;
  }
  return copy;
}

/**
 * Fastify's validator compiler for our routes: Ajv compiled once per route part. Query strings,
 * path parameters and headers are text, so they are converted to the declared types; JSON bodies
 * are converted too (numbers may arrive as strings: the contract's rule for producers), never null
 * into "" (nullable fields say so). Every string refuses NUL and unpaired surrogates and every
 * number fits its column (see withEdgeRules), which PostgreSQL would otherwise refuse with a 500.
 */
export function createSchemaCompiler(): FastifySchemaCompiler<FastifySchema> {
  const forText = createAjv('array');
  const forBody = createAjv(true);
  return ({ schema, httpPart }) => {
    const ajv = (httpPart as HttpPart) === 'body' ? forBody : forText;
    const validate: ValidateFunction = ajv.compile(withEdgeRules(schema) as Schema);
    return validate as ReturnType<FastifySchemaCompiler<FastifySchema>>;
  };
}

/** The same compilation for values that do not arrive as a route part (multipart fields). */
export function compileBodySchema<T>(schema: unknown): ValidateFunction<T> {
  return sharedBodyAjv().compile<T>(withEdgeRules(schema) as Schema);
}

let bodyAjv: Ajv | undefined;
function sharedBodyAjv(): Ajv {
  bodyAjv ??= createAjv(true);
  return bodyAjv;
}
