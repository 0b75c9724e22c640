import { CATALOGUE_HEADER, catalogueLines } from '@pjs/testing';

/** The item number the catalogue generator gives its row `i`. */
export const itemNo = (i: number) => `PJS-${String(i).padStart(7, '0')}`;

/**
 * Rows `from`..`to` of the repository's catalogue generator (scripts/gen-catalogue.mjs), without
 * image URLs (the worker would fetch them) and with `retitle(i)` appended to each row's title.
 */
export function catalogueRows(from: number, to: number, retitle: (i: number) => string = () => ''): string[] {
  const out: string[] = [];
  let i = 0;
  for (const line of catalogueLines(to)) {
    if (i >= from) {
      // Only the description (last, quoted) may hold `;`: it is joined back as it was.
      const cells = line.split(';');
      cells[2] += retitle(i);
      cells[10] = '';
      out.push(cells.join(';'));
    }
    i += 1;
  }
  return out;
}

/** A catalogue file of `lines` under the generator's header. */
export const catalogueCsv = (lines: string[]) => Buffer.from(`${[CATALOGUE_HEADER, ...lines].join('\n')}\n`, 'utf8');
