/**
 * The lookup key of manufacturer and license names (`manufacturers.name_key`,
 * `licenses.name_key`): Unicode NFKC, trimmed, inner blanks collapsed, lower case. So "Hasbro ",
 * "HASBRO" and "Ｈａｓｂｒｏ" are the same manufacturer.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The display form of a name: NFKC, trimmed, inner blanks collapsed (case kept). */
export function cleanName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ');
}
