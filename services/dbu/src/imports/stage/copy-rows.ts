import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SourceRow } from '../read/row-source.types';

/**
 * Parse → encode → COPY with backpressure end to end: `encode` turns a row into COPY text ('' to
 * skip it); `afterBatch` reports progress.
 */
export async function copyRows(
  batches: AsyncIterator<SourceRow[]>,
  first: SourceRow[],
  encode: (row: SourceRow) => string,
  copy: Writable,
  afterBatch: () => void,
): Promise<void> {
  async function* encoded(): AsyncGenerator<Buffer> {
    let batch: SourceRow[] | undefined = first;
    for (;;) {
      if (batch && batch.length) {
        let text = '';
        for (const row of batch) text += encode(row);
        afterBatch();
        if (text) yield Buffer.from(text, 'utf8');
      }
      const next = await batches.next();
      if (next.done) return;
      batch = next.value;
    }
  }
  await pipeline(Readable.from(encoded(), { highWaterMark: 1 }), copy);
}
