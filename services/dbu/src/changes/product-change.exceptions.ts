import { ApiException, FieldValidationException } from '@pjs/http';

/** `after` is not a cursor this feed handed out. */
export class InvalidCursorException extends FieldValidationException {
  constructor() {
    super('after', 'not a cursor of this feed (use the `next` of a previous answer)');
  }
}

/** The changes after this cursor were removed by retention: the reader must copy everything again. */
export class CursorExpiredException extends ApiException {
  constructor() {
    super(
      410,
      'cursor_expired',
      'changes after this cursor were removed (CHANGES_RETENTION); copy the catalogue again and continue from `head`',
    );
  }
}
