import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { finished } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { CsvTokenizer } from './csv-tokenizer';
import { SNIFF_BYTES, detectDelimiter, detectEncoding, detectFormat } from './file-sniffer';
import { ImportFileError } from './import-file.error';
import type { RowSource, RowSourceSettings, SourceRow } from './row-source.types';
import { openXlsx } from './xlsx/xlsx-row-source';

export type { RowSource, RowSourceSettings, SourceDescription, SourceRow } from './row-source.types';

/** Opens a stored upload: sniffs the format, encoding and delimiter, and streams its rows. */
export async function openRowSource(path: string, settings: RowSourceSettings): Promise<RowSource> {
  const handle = await open(path, 'r');
  let head: Buffer;
  let size: number;
  try {
    size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const verdict = detectFormat(head);
  if ('unsupported' in verdict) throw new ImportFileError(verdict.unsupported);
  return verdict.format === 'xlsx' ? openXlsx(path, size, settings) : openCsv(path, size, head, settings);
}

function openCsv(path: string, size: number, head: Buffer, settings: RowSourceSettings): RowSource {
  const { encoding, bomBytes } = detectEncoding(head, settings.encoding);
  const sample = iconv.decode(head.subarray(bomBytes), encoding);
  const delimiter = detectDelimiter(sample, settings.delimiter);
  // Small chunks and little buffering keep batches short-lived: fewer objects survive into V8's old
  // space, which is what bounds the worker's peak memory on big files.
  const file = createReadStream(path, { start: bomBytes, highWaterMark: 256 * 1024 });

  let rowNo = 0;
  let batch: SourceRow[] = [];
  const tokenizer = new CsvTokenizer(delimiter, (fields, problem) => {
    rowNo += 1;
    batch.push(problem ? { rowNo, fields, problem } : { rowNo, fields });
  });
  // TextDecoder (simdutf) is the fastest UTF-8 decoder in Node; iconv-lite does the other encodings.
  const decoder = encoding === 'utf-8' ? new TextDecoder('utf-8', { ignoreBOM: true }) : undefined;
  const iconvDecoder = decoder ? undefined : iconv.getDecoder(encoding);
  const toRows = new Transform({
    readableObjectMode: true,
    readableHighWaterMark: 1,
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      try {
        tokenizer.push(decoder ? decoder.decode(chunk, { stream: true }) : iconvDecoder!.write(chunk));
        flush(this);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
    final(callback: TransformCallback) {
      try {
        const rest = decoder ? decoder.decode() : (iconvDecoder!.end() ?? '');
        if (rest) tokenizer.push(rest);
        tokenizer.end();
        flush(this);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
  function flush(stream: Transform): void {
    if (batch.length === 0) return;
    stream.push(batch);
    batch = [];
  }
  file.on('error', (err) => toRows.destroy(err));
  file.pipe(toRows);
  return {
    description: { format: 'csv', encoding, delimiter },
    rows: toRows,
    bytesRead: () => file.bytesRead + bomBytes,
    bytesTotal: size,
  };
}

/** Re-reads the file for the cells of some rows (rows rejected after loading, e.g. duplicates). */
export async function collectRows(
  path: string,
  settings: RowSourceSettings,
  rowNos: ReadonlySet<number>,
): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  const source = await openRowSource(path, settings);
  try {
    for await (const batch of source.rows as AsyncIterable<SourceRow[]>) {
      for (const row of batch) if (rowNos.has(row.rowNo)) found.set(row.rowNo, row.fields);
      if (found.size === rowNos.size) break;
    }
  } finally {
    // Closing runs the reader's clean-up (open files, the XLSX scratch file): wait for it.
    source.rows.destroy();
    await finished(source.rows).catch(() => undefined);
  }
  return found;
}
