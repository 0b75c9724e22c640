import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiException, type FieldError } from './api.exception';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** 400 naming every bad field: `{"code":"validation_failed","errors":[{"field","message"}]}`. */
export function validationException(errors: ValidationError[]): ApiException {
  const fields = flatten(errors);
  const message = fields.map((f) => `${f.field}: ${f.message}`).join('; ') || 'invalid request body';
  return new ApiException(400, 'validation_failed', message, fields);
}

/** The global pipe: transform to DTO classes, strip unknown keys, name the field on failure. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: true,
    exceptionFactory: validationException,
  });
}
