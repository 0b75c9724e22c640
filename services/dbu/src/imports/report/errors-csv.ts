import type { ImportRunRow, RejectedRow } from '../runs/import-run.types';

const PAGE = 2000;

/**
 * The rejected rows in the source layout: `row`, the source columns, `errors` (UTF-8 with BOM for
 * Excel). Every cell is the wholesaler's text and the file is opened in a spreadsheet, so cells a
 * spreadsheet would read as a formula are defused (see `csvCell`).
 */
export async function* errorsCsv(
  run: ImportRunRow,
  page: (afterRowNo: number, limit: number) => Promise<RejectedRow[]>,
): AsyncGenerator<string> {
  const source = (run.details?.source ?? {}) as { delimiter?: string };
  const delimiter = source.delimiter ?? ';';
  const line = (cells: readonly (string | number)[]) =>
    `${cells.map((c) => csvCell(String(c), delimiter)).join(delimiter)}\r\n`;
  yield `\uFEFF${line(['row', ...(run.header ?? []), 'errors'])}`;
  let after = 0;
  for (;;) {
    const rows = await page(after, PAGE);
    if (rows.length === 0) return;
    let chunk = '';
    for (const row of rows) {
      const reasons = row.errors
        .map((e) => (e.column ? `${e.column}: ${e.reason}${e.value ? ` (${e.value})` : ''}` : e.reason))
        .join(' | ');
      chunk += line([row.row_no, ...row.values, reasons]);
    }
    yield chunk;
    after = rows[rows.length - 1].row_no;
  }
}

/** First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell. A cell starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` and is quoted,
 * as OWASP recommends against CSV injection: the spreadsheet shows it as text (the `'` is visible in
 * a text editor; negative numbers read `'-5`).
 */
export function csvCell(value: string, delimiter: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return text !== value || text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
