import type { ImportRunRow, RejectedRow } from './import-run.types';

const PAGE = 2000;

/** The rejected rows in the source layout: `row`, the source columns, `errors` (UTF-8 with BOM for Excel). */
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

function csvCell(value: string, delimiter: string): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
