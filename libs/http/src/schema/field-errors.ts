import type { ErrorObject } from 'ajv';
import type { FieldError } from '../api.exception';
import { findCheck } from './checks';

const TYPE_MESSAGES: Record<string, string> = {
  integer: 'must be a whole number',
  number: 'must be a number',
  string: 'must be text',
  boolean: 'must be true or false',
  object: 'must be an object',
  array: 'must be a list',
  null: 'must be null',
};

function fieldOf(error: ErrorObject, part: string): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') path.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties') {
    path.push(String((error.params as { additionalProperty: string }).additionalProperty));
  }
  return path.length ? path.join('.') : part;
}

function messageOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const custom = (error.parentSchema as { errorMessage?: unknown } | undefined)?.errorMessage;
  if (error.keyword === 'required') return 'is required';
  if (typeof custom === 'string') return custom;
  switch (error.keyword) {
    case 'type':
      return TYPE_MESSAGES[String(params.type).split(',')[0]] ?? `must be ${String(params.type)}`;
    case 'minimum':
    case 'exclusiveMinimum':
      return `must be at least ${String(params.limit)}`;
    case 'maximum':
    case 'exclusiveMaximum':
      return `must be at most ${String(params.limit)}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters`;
    case 'minItems':
      return `must have at least ${String(params.limit)} entries`;
    case 'maxItems':
      return `must have at most ${String(params.limit)} entries`;
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'additionalProperties':
      return 'is not allowed';
    case 'x-text':
      return 'must not contain NUL characters or unpaired surrogates';
    case 'x-finite':
      return 'must be a finite number';
    case 'x-check':
      return findCheck(String(error.schema)).message;
    case 'anyOf':
    case 'oneOf':
      return 'has an invalid value';
    case 'format':
      return `must be a valid ${String(params.format)}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/**
 * Ajv's errors as our field list: one message per field (the first that applies, a schema's own
 * `errorMessage` preferred), in the order the fields failed. Branch errors of `anyOf` are folded
 * into the message of the `anyOf` itself.
 */
export function fieldErrors(errors: readonly ErrorObject[], part: string): FieldError[] {
  const byField = new Map<string, string>();
  const branchPaths = new Set(
    errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath),
  );
  for (const error of errors) {
    const inBranch =
      error.keyword !== 'anyOf' && error.keyword !== 'oneOf' && error.keyword !== 'required'
        ? [...branchPaths].some((p) => error.instancePath === p)
        : false;
    if (inBranch) continue;
    const field = fieldOf(error, part);
    if (!byField.has(field)) byField.set(field, messageOf(error));
  }
  return [...byField].map(([field, message]) => ({ field, message }));
}
