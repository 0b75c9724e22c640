import { ImportFileError } from './import-file.error';
import type { SourceRow } from './row-source.types';

/** The first non-blank row is the header; answers it and the rows after it in its batch. */
export async function readHeader(
  batches: AsyncIterator<SourceRow[]>,
): Promise<{ header: string[]; rest: SourceRow[] }> {
  for (;;) {
    const next = await batches.next();
    if (next.done) throw new ImportFileError('the file has no header row');
    const index = next.value.findIndex((r) => r.fields.some((f) => f.trim() !== ''));
    if (index >= 0) {
      return { header: next.value[index].fields.map((f) => f.trim()), rest: next.value.slice(index + 1) };
    }
  }
}
