import type { ProfileDelimiter, ProfileEncoding } from '../../import-profiles/profile-settings';

/**
 * What an uploaded file is, judged by its content (never by its name): the format, the text
 * encoding and the CSV delimiter. Works on the first bytes only.
 */
export type FileFormat = 'csv' | 'xlsx';
export type SourceEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'latin1';

/** How many bytes the sniffers look at. */
export const SNIFF_BYTES = 64 * 1024;

export type FormatVerdict = { format: FileFormat } | { unsupported: string };

const startsWith = (head: Buffer, bytes: number[]) => bytes.every((b, i) => head[i] === b);

export function detectFormat(head: Buffer): FormatVerdict {
  if (head.length === 0) return { unsupported: 'the file is empty' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return { format: 'xlsx' };
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0])) {
    return { unsupported: 'this is a legacy Excel (.xls) file; save it as .xlsx or CSV' };
  }
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46])) return { unsupported: 'this is a PDF, not a CSV or XLSX file' };
  if (startsWith(head, [0x1f, 0x8b])) return { unsupported: 'this is a gzip archive; upload the CSV itself' };
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) return { format: 'csv' };
  const sample = head.subarray(0, 8192);
  if (sample.includes(0)) return { unsupported: 'this is a binary file, not a CSV or XLSX file' };
  return { format: 'csv' };
}

export interface EncodingVerdict {
  encoding: SourceEncoding;
  /** Bytes of byte-order mark to skip. */
  bomBytes: number;
}

/**
 * A byte-order mark decides; otherwise the profile's choice, and for `auto` UTF-8 when the
 * sample is valid UTF-8, else Windows-1252 (the superset of Latin-1 that Excel writes).
 */
export function detectEncoding(head: Buffer, preferred: ProfileEncoding = 'auto'): EncodingVerdict {
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bomBytes: 3 };
  if (startsWith(head, [0xff, 0xfe])) return { encoding: 'utf-16le', bomBytes: 2 };
  if (startsWith(head, [0xfe, 0xff])) return { encoding: 'utf-16be', bomBytes: 2 };
  if (preferred !== 'auto') return { encoding: preferred, bomBytes: 0 };
  return { encoding: isUtf8(head) ? 'utf-8' : 'windows-1252', bomBytes: 0 };
}

function isUtf8(head: Buffer): boolean {
  // Ignore a multi-byte sequence cut at the end of the sample.
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back += 1) {
    const byte = head[end - back];
    if ((byte & 0xc0) === 0xc0) {
      end -= back;
      break;
    }
    if ((byte & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

const CANDIDATES = [';', ',', '\t', '|'] as const;

/** The delimiter of the header line: the profile's, or the candidate found most often outside quotes. */
export function detectDelimiter(text: string, preferred: ProfileDelimiter = 'auto'): string {
  if (preferred === 'tab') return '\t';
  if (preferred !== 'auto') return preferred;
  const counts = new Map<string, number>(CANDIDATES.map((c) => [c, 0]));
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ';';
  let bestCount = 0;
  for (const [candidate, count] of counts) {
    if (count > bestCount) [best, bestCount] = [candidate, count];
  }
  return best;
}
