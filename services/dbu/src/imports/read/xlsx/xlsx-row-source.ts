import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { ImportFileError } from '../import-file.error';
import type { RowSource, RowSourceSettings, SourceDescription, SourceRow } from '../row-source.types';
import { SharedStringStore } from '../shared-strings';
import { SharedStringCollector } from './shared-string-collector';
import { SheetRowCollector } from './sheet-row-collector';
import { readWorkbookMap, type WorkbookSheet } from './workbook-map';
import { XlsxArchive, type PartStream } from './xlsx-archive';
import { XmlScanner, type XmlHandler } from './xml-scanner';

const BATCH_ROWS = 1000;
/** A batch is handed on early when its rows hold this many characters (wide rows, fewer per batch). */
const BATCH_CHARS = 16 * 1_048_576;

/**
 * Streams the rows of one worksheet of an XLSX file: the workbook's map and shared strings are
 * read first (the strings into a scratch file), then the sheet's part is inflated and scanned
 * chunk by chunk, so memory holds one batch of rows whatever the size of the file.
 */
export function openXlsx(path: string, size: number, settings: RowSourceSettings): RowSource {
  const description: SourceDescription = { format: 'xlsx' };
  // Progress is the compressed data consumed of the parts read, scaled to the file's size.
  const parts: PartStream[] = [];
  let plannedBytes = 0;
  const bytesRead = (): number => {
    if (plannedBytes === 0) return 0;
    const consumed = parts.reduce((sum, part) => sum + part.compressedBytesRead(), 0);
    return Math.min(size, Math.round((size * consumed) / plannedBytes));
  };

  async function* batches(): AsyncGenerator<SourceRow[]> {
    let archive: XlsxArchive | undefined;
    const strings = SharedStringStore.open(settings.tmpDir ?? tmpdir());
    try {
      archive = await XlsxArchive.open(path);
      const map = await readWorkbookMap(archive);
      const sheet = pickSheet(map?.sheets ?? [], settings.sheetName);
      description.sheet = sheet.name;
      plannedBytes =
        archive.compressedSize(sheet.part) +
        (map?.sharedStringsPart ? archive.compressedSize(map.sharedStringsPart) : 0);

      if (map?.sharedStringsPart) {
        const stringsPart = await archive.openPart(map.sharedStringsPart);
        parts.push(stringsPart);
        for await (const _ of scan(stringsPart, new SharedStringCollector((text) => strings.add(text)))) void _;
      }

      const sheetPart = await archive.openPart(sheet.part);
      parts.push(sheetPart);
      let batch: SourceRow[] = [];
      let batchChars = 0;
      const collector = new SheetRowCollector(
        { decimalSeparator: settings.decimalSeparator, strings },
        (rowNo, fields) => {
          batch.push({ rowNo, fields });
          for (const field of fields) batchChars += field.length;
        },
      );
      for await (const _ of scan(sheetPart, collector)) {
        if (batch.length < BATCH_ROWS && batchChars < BATCH_CHARS) continue;
        yield batch;
        batch = [];
        batchChars = 0;
      }
      if (batch.length) yield batch;
    } catch (err) {
      if (err instanceof ImportFileError) throw err;
      throw new ImportFileError(`the XLSX file cannot be read: ${(err as Error).message}`);
    } finally {
      strings.close();
      archive?.close();
    }
  }

  return {
    description,
    rows: Readable.from(batches(), { objectMode: true, highWaterMark: 1 }),
    bytesRead,
    bytesTotal: size,
  };
}

/** The sheet the profile names, else the first worksheet in workbook order. */
function pickSheet(sheets: WorkbookSheet[], sheetName: string | null): WorkbookSheet {
  const sheet = sheetName ? sheets.find((s) => s.name === sheetName) : sheets[0];
  if (sheet) return sheet;
  throw new ImportFileError(
    sheetName
      ? `the workbook has no sheet named "${sheetName}" (sheets: ${sheets.map((s) => s.name).join(', ') || 'none'})`
      : 'the workbook has no worksheet',
  );
}

/**
 * XML fed to the scanner between two looks at the batch: a few kB of `<row><c t="s"><v>0</v></c></row>`
 * can name one long shared string in a hundred rows, so the batch is checked that often.
 */
const SLICE_BYTES = 4096;

/** Feeds a part into a scanner; yields after each slice so that the caller can hand on what the handler collected. */
async function* scan(part: PartStream, handler: XmlHandler): AsyncGenerator<void> {
  const scanner = new XmlScanner(handler);
  for await (const chunk of part.chunks) {
    for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
      scanner.write(chunk.subarray(at, at + SLICE_BYTES));
      yield;
    }
  }
  scanner.end();
  yield;
}
