/** PostgreSQL COPY text format: tab-separated, `\N` for NULL, backslash escapes. */

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function copyValue(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, (c) => ESCAPED[c]) : value;
}

/** One COPY line (with its line feed) from the column values. */
export function copyLine(values: readonly (string | number | null | undefined)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i];
    if (i) line += '\t';
    line += typeof v === 'number' ? String(v) : copyValue(v);
  }
  return `${line}\n`;
}
