import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { CellValue } from 'exceljs';
import iconv from 'iconv-lite';
import { CsvTokenizer } from './csv-tokenizer';
import {
  SNIFF_BYTES,
  detectDelimiter,
  detectEncoding,
  detectFormat,
  type FileFormat,
  type ProfileDelimiter,
  type ProfileEncoding,
  type SourceEncoding,
} from './file-sniffer';
import { ImportFileError } from './import.errors';
import { SharedStringStore } from './shared-strings';

/** One row of a spreadsheet: its number as a spreadsheet shows it (header = 1) and its cells as text. */
export interface SourceRow {
  rowNo: number;
  fields: string[];
  /** Set when the row could not be read cleanly (the row is rejected with this reason). */
  problem?: string;
}

export interface RowSourceSettings {
  delimiter: ProfileDelimiter;
  encoding: ProfileEncoding;
  sheetName: string | null;
  /** XLSX numbers are written with this separator, so they read like the CSV text of the same file. */
  decimalSeparator: ',' | '.';
  /** Where an XLSX file's shared strings are kept while it is read (default: the OS temp folder). */
  tmpDir?: string;
}

/** What the sniffers found, recorded on the import run. */
export interface SourceDescription {
  format: FileFormat;
  encoding?: SourceEncoding;
  delimiter?: string;
  sheet?: string;
}

/** A stream of row batches (object mode, `SourceRow[]`) and how far through the file it is. */
export interface RowSource {
  description: SourceDescription;
  rows: Readable;
  bytesRead(): number;
  bytesTotal: number;
}

const BATCH_ROWS = 1000;

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

interface NamedWorksheetReader extends AsyncIterable<{
  number: number;
  values: CellValue[] | Record<string, CellValue>;
}> {
  name?: string;
}

/** What `WorkbookReader.parse()` yields: worksheets, and (with `sharedStrings: 'emit'`) the strings. */
type WorkbookItem =
  | { eventType: string; value: NamedWorksheetReader }
  | { index: number; text: string | null | { richText: { text: string | null }[] } };

function openXlsx(path: string, size: number, settings: RowSourceSettings): RowSource {
  const file: ReadStream = createReadStream(path, { highWaterMark: 256 * 1024 });
  const description: SourceDescription = { format: 'xlsx' };
  async function* batches(): AsyncGenerator<SourceRow[]> {
    // Loaded on first use: exceljs costs ~30 MB of memory that CSV imports never need.
    const { stream: excelStream } = await import('exceljs');
    // Styles are not read (a third of the memory and time): dates then come as Excel day numbers.
    const reader = new excelStream.xlsx.WorkbookReader(file, {
      sharedStrings: 'emit',
      styles: 'ignore',
      hyperlinks: 'ignore',
      worksheets: 'emit',
      entries: 'ignore',
    });
    // The shared strings go to a file, so memory does not grow with the workbook.
    const strings = SharedStringStore.open(settings.tmpDir ?? tmpdir());
    const seen: string[] = [];
    try {
      for await (const item of reader.parse() as unknown as AsyncIterable<WorkbookItem>) {
        if ('index' in item) {
          const text = item.text;
          strings.add(
            text === null || typeof text === 'string' ? (text ?? '') : text.richText.map((r) => r.text ?? '').join(''),
          );
          continue;
        }
        if (item.eventType !== 'worksheet') continue;
        const sheet = item.value;
        const name = sheet.name ?? `Sheet${seen.length + 1}`;
        seen.push(name);
        const wanted = settings.sheetName ? name === settings.sheetName : seen.length === 1;
        if (!wanted) {
          // Worksheets arrive in file order and must be read through to reach the next one.
          for await (const _row of sheet) void _row;
          continue;
        }
        description.sheet = name;
        let batch: SourceRow[] = [];
        for await (const row of sheet) {
          batch.push({ rowNo: row.number, fields: rowTexts(row.values, settings.decimalSeparator, strings) });
          if (batch.length >= BATCH_ROWS) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length) yield batch;
        return;
      }
    } catch (err) {
      if (err instanceof ImportFileError) throw err;
      throw new ImportFileError(`the XLSX file cannot be read: ${(err as Error).message}`);
    } finally {
      strings.close();
      file.destroy();
    }
    throw new ImportFileError(
      settings.sheetName
        ? `the workbook has no sheet named "${settings.sheetName}" (sheets: ${seen.join(', ') || 'none'})`
        : 'the workbook has no worksheet',
    );
  }
  return {
    description,
    rows: Readable.from(batches(), { objectMode: true, highWaterMark: 1 }),
    bytesRead: () => file.bytesRead,
    bytesTotal: size,
  };
}

/** exceljs row values (1-based, sparse) → cell texts from column A. */
function rowTexts(
  values: CellValue[] | Record<string, CellValue>,
  decimalSeparator: ',' | '.',
  strings: SharedStringStore,
): string[] {
  const list = Array.isArray(values) ? values : Object.values(values);
  const out: string[] = [];
  for (let i = 1; i < list.length; i += 1) out.push(cellText(list[i], decimalSeparator, strings));
  return out;
}

export function cellText(
  value: CellValue | undefined,
  decimalSeparator: ',' | '.',
  strings?: SharedStringStore,
): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    const text = String(value);
    return decimalSeparator === ',' ? text.replace('.', ',') : text;
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('sharedString' in value) return strings?.get(Number(value.sharedString)) ?? '';
    if ('richText' in value && Array.isArray(value.richText)) return value.richText.map((t) => t.text).join('');
    if ('result' in value) return cellText(value.result, decimalSeparator, strings);
    if ('text' in value) return cellText(value.text, decimalSeparator, strings);
  }
  return ''; // an error cell (#N/A …) or an unknown kind of value
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
    source.rows.destroy();
  }
  return found;
}
