import { Type, type Static, type TSchema, type TObject, type TProperties, type ObjectOptions } from '@sinclair/typebox';

export { Type };
export type { Static, TSchema, TObject, TProperties };

/**
 * Schema helpers on TypeBox (JSON Schema with TypeScript types). One schema per route part is
 * the single source of both its validation (compiled by Fastify's Ajv) and its OpenAPI entry.
 */

/** `T | null`, written the OpenAPI 3.0 way so Ajv's type coercion never turns null into "". */
export function Nullable<T extends TSchema>(schema: T): TSchema & { static: Static<T> | null } {
  return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true });
}

/** An object that drops keys it does not declare (as class-validator's whitelist did). */
export function Obj<P extends TProperties>(properties: P, options: ObjectOptions = {}): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** Text of at most `maxLength` characters (NUL and unpaired surrogates are refused everywhere). */
export function Text(maxLength: number, options: { minLength?: number; description?: string; example?: string } = {}) {
  return Type.String({ maxLength, ...options });
}

/** A value checked by a named rule (see defineCheck), documented as `base`. */
export function Checked<T extends TSchema>(check: string, base: T, errorMessage?: string): T {
  return { ...base, 'x-check': check, ...(errorMessage ? { errorMessage } : {}) };
}

/** Query flags as DRF-style clients send them. */
export const BooleanText = (description?: string) =>
  Type.Unsafe<'true' | 'false'>({
    type: 'string',
    enum: ['true', 'false'],
    ...(description ? { description } : {}),
    errorMessage: 'must be true or false',
  });

/** A whole number within [minimum, maximum] (query values arrive as text and are converted). */
export function Int(minimum: number, maximum: number, options: { default?: number; description?: string } = {}) {
  return Type.Integer({ minimum, maximum, ...options });
}
