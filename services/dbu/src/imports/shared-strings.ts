import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly cache = new Map<number, string>();

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
    const bytes = Buffer.from(text, 'utf8');
    if (this.count + 2 > this.offsets.length) {
      const grown = new Float64Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[this.count] = this.written + this.pendingBytes;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.count += 1;
    this.offsets[this.count] = this.written + this.pendingBytes;
    if (this.pendingBytes >= 1024 * 1024) this.flush();
  }

  get(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return '';
    const hit = this.cache.get(index);
    if (hit !== undefined) return hit;
    if (this.pendingBytes) this.flush();
    const start = this.offsets[index];
    const length = this.offsets[index + 1] - start;
    const bytes = Buffer.allocUnsafe(length);
    if (length) readSync(this.fd, bytes, 0, length, start);
    const text = bytes.toString('utf8');
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(index, text);
    return text;
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
    const chunk = Buffer.concat(this.pending);
    writeSync(this.fd, chunk, 0, chunk.length, this.written);
    this.written += chunk.length;
    this.pending = [];
    this.pendingBytes = 0;
  }
}
