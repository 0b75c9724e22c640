import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const READ_AHEAD = 64 * 1024;
const WRITE_BUFFER = 1024 * 1024;
/** Characters the cache holds at most (one long text repeated in many cells is read once). */
const CACHED_CHARS = 8 * 1_048_576;

/**
 * The shared-string table of an XLSX file, kept in a temporary file instead of memory: a big
 * workbook holds one entry per distinct text (titles, descriptions, URLs …), which would otherwise
 * grow with the file. Strings are appended while the table is read and fetched by index (with a
 * small cache for the texts that repeat: manufacturers, licenses, categories).
 */
export class SharedStringStore {
  private offsets = new Float64Array(4096);
  private count = 0;
  private written = 0;
  /** Strings not yet written, encoded straight into one reused buffer (no allocation per string). */
  private readonly pending = Buffer.allocUnsafe(WRITE_BUFFER);
  private pendingBytes = 0;
  private readonly cache = new Map<number, string>();
  private cachedChars = 0;
  private block: { start: number; data: Buffer } | undefined;

  private constructor(
    private readonly fd: number,
    private readonly path: string,
  ) {}

  static open(dir: string): SharedStringStore {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${randomUUID()}.strings`);
    return new SharedStringStore(openSync(path, 'w+'), path);
  }

  get size(): number {
    return this.count;
  }

  add(text: string): void {
    if (this.count + 2 > this.offsets.length) {
      const grown = new Float64Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[this.count] = this.written + this.pendingBytes;
    // At most 3 bytes per UTF-16 unit: flush first when the text might not fit.
    if (this.pendingBytes + text.length * 3 > WRITE_BUFFER) this.flush();
    if (text.length * 3 > WRITE_BUFFER) {
      const bytes = Buffer.from(text, 'utf8');
      writeSync(this.fd, bytes, 0, bytes.length, this.written);
      this.written += bytes.length;
    } else {
      this.pendingBytes += this.pending.write(text, this.pendingBytes, 'utf8');
    }
    this.count += 1;
    this.offsets[this.count] = this.written + this.pendingBytes;
  }

  get(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return '';
    const hit = this.cache.get(index);
    if (hit !== undefined) return hit;
    if (this.pendingBytes) this.flush();
    const start = this.offsets[index];
    const end = this.offsets[index + 1];
    const text = this.bytes(start, end).toString('utf8');
    // Bounded by entries and by characters: 10,000 cached descriptions could hold gigabytes.
    if (this.cache.size >= 10_000 || this.cachedChars + text.length > CACHED_CHARS) {
      this.cache.clear();
      this.cachedChars = 0;
    }
    this.cache.set(index, text);
    this.cachedChars += text.length;
    return text;
  }

  /**
   * The bytes [start, end) of the file, through a read-ahead block: a sheet mostly asks for its
   * strings in the order they were stored (Excel numbers them by first use), so one read serves
   * the next few hundred strings instead of one read per string.
   */
  private bytes(start: number, end: number): Buffer {
    const block = this.block;
    if (block && start >= block.start && end <= block.start + block.data.length) {
      return block.data.subarray(start - block.start, end - block.start);
    }
    const length = Math.max(end - start, READ_AHEAD);
    const data = Buffer.allocUnsafe(length);
    const read = readSync(this.fd, data, 0, length, start);
    this.block = { start, data: data.subarray(0, read) };
    return this.block.data.subarray(0, end - start);
  }

  close(): void {
    try {
      closeSync(this.fd);
    } finally {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    this.block = undefined; // it may end where the new bytes begin
    writeSync(this.fd, this.pending, 0, this.pendingBytes, this.written);
    this.written += this.pendingBytes;
    this.pendingBytes = 0;
  }
}
