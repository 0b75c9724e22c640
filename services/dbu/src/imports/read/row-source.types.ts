import type { Readable } from 'node:stream';
import type { ProfileDelimiter, ProfileEncoding } from '../../import-profiles/profile-settings';
import type { FileFormat, SourceEncoding } from './file-sniffer';

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
