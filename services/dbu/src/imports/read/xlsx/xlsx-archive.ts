import { createInflateRaw } from 'node:zlib';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/** Parts read whole (workbook.xml, relationships) are a few kB; anything this big is not such a part. */
const MAX_SMALL_PART_BYTES = 16 * 1024 * 1024;
/**
 * A workbook has a few dozen parts (hundreds with many images); each entry costs memory before a byte
 * of it is read, so a zip of hundreds of thousands of entries is refused by its directory's count.
 */
export const MAX_ENTRIES = 10_000;
/**
 * All parts together, inflated, as the directory states them (a part inflating to more than it states
 * is refused while read). Generous for the largest upload; a zip bomb's claim is refused at once.
 */
export const MAX_UNCOMPRESSED_BYTES = 4 * 1024 ** 3;
const STORED = 0;
const DEFLATED = 8;

/** One part being read as a stream, and how much of its compressed data has been consumed. */
export interface PartStream {
  chunks: AsyncIterable<Buffer>;
  compressedSize: number;
  compressedBytesRead(): number;
}

/**
 * The zip container of a workbook, read by random access (yauzl): the central directory first,
 * then only the parts we ask for, in the order we need them; nothing is extracted to disk.
 * Part names are matched without case, as the Open Packaging Conventions prescribe.
 */
export class XlsxArchive {
  private constructor(
    private readonly zip: ZipFile,
    private readonly entries: Map<string, Entry>,
  ) {}

  static async open(path: string): Promise<XlsxArchive> {
    const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
    try {
      if (zip.entryCount > MAX_ENTRIES) {
        throw new Error(`it has ${zip.entryCount} zip entries (at most ${MAX_ENTRIES})`);
      }
      const entries = new Map<string, Entry>();
      let inflated = 0;
      for await (const entry of zip.eachEntry()) {
        inflated += entry.uncompressedSize;
        if (inflated > MAX_UNCOMPRESSED_BYTES) {
          throw new Error(`its parts inflate to more than ${MAX_UNCOMPRESSED_BYTES} bytes`);
        }
        entries.set(entry.fileName.toLowerCase(), entry);
      }
      return new XlsxArchive(zip, entries);
    } catch (err) {
      zip.close();
      throw err;
    }
  }

  has(part: string): boolean {
    return this.entries.has(part.toLowerCase());
  }

  /** The stored (compressed) size of a part, 0 when there is no such part. */
  compressedSize(part: string): number {
    return this.entries.get(part.toLowerCase())?.compressedSize ?? 0;
  }

  /** A small part as text (UTF-8), or undefined when the archive has no such part. */
  async readText(part: string): Promise<string | undefined> {
    const entry = this.entries.get(part.toLowerCase());
    if (!entry) return undefined;
    if (entry.uncompressedSize > MAX_SMALL_PART_BYTES) throw new Error(`${part} is implausibly large`);
    const stream = await this.zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
  }

  /**
   * A part as a stream of inflated bytes. The compressed data is inflated here rather than by
   * yauzl so that the bytes consumed can be counted: that is the import's progress.
   */
  async openPart(part: string): Promise<PartStream> {
    const entry = this.entries.get(part.toLowerCase());
    if (!entry) throw new Error(`the workbook has no part ${part}`);
    if (entry.isEncrypted()) throw new Error(`${part} is encrypted`);
    if (entry.compressionMethod !== DEFLATED && entry.compressionMethod !== STORED) {
      throw new Error(`${part} uses an unsupported compression method (${entry.compressionMethod})`);
    }
    const raw = await this.zip.openReadStreamPromise(entry, { decodeFileData: false });
    let consumed = 0;
    raw.on('data', (chunk: Buffer) => (consumed += chunk.length));
    // pipeline() buffers what flows before the reader starts, and tears both stages down when one
    // fails or the reader stops early.
    const decode =
      entry.compressionMethod === DEFLATED ? createInflateRaw({ chunkSize: 64 * 1024 }) : new PassThrough();
    const inflated = pipeline(raw, decode, ignore);
    return {
      chunks: checkedSize(part, inflated, entry.uncompressedSize),
      compressedSize: entry.compressedSize,
      compressedBytesRead: () => consumed,
    };
  }

  close(): void {
    this.zip.close();
  }
}

/** The inflated size must match the directory's: a mismatch means a damaged or doctored file. */
async function* checkedSize(part: string, chunks: Readable, expected: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of chunks as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > expected) throw new Error(`${part} inflates to more than its stated size`);
    yield chunk;
  }
  if (total !== expected) throw new Error(`${part} is truncated`);
}

/** Errors reach the reader through the last stage; the pipeline's own callback has nothing to add. */
function ignore(): void {}
