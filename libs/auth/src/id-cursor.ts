import { FieldValidationException } from '@pjs/http';

/** The largest id of a `serial` column (users and tokens): PostgreSQL refuses a bigger integer. */
const MAX_SERIAL_ID = 2_147_483_647;

/**
 * The id a page of an account list starts after, from its `cursor` parameter: absent or empty for
 * the first page (0), else the decimal id the previous page's `next` link handed out. Anything else —
 * signs, exponents, hex, leading zeros, spaces, numbers beyond the id column — is refused naming
 * `cursor`, so a forged cursor never reaches PostgreSQL as a value it would refuse.
 */
export function idCursor(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  const id = /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : NaN;
  if (!(id <= MAX_SERIAL_ID)) throw new FieldValidationException('cursor', 'is not a cursor of this list');
  return id;
}
