import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, rename, unlink } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { detectFormat, type FileFormat } from '../read/file-sniffer';
import type { StoredFile } from '../runs/import-run.types';

/** The file is not a CSV or XLSX file (judged by content). */
export class UnsupportedFileError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnsupportedFileError';
  }
}

export class UploadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the file is larger than the upload limit of ${limitBytes} bytes`);
    this.name = 'UploadTooLargeError';
  }
}

const SNIFF_AT = 8192;

/** MEDIA_DIR: where uploads (and photos) are kept. */
export const MEDIA_DIR = Symbol('MEDIA_DIR');

/**
 * Files under MEDIA_DIR: uploads stored by the SHA-256 of their content
 * (`uploads/ab/abcdef…`), streamed to disk while hashing, never held in memory.
 */
@Injectable()
export class MediaStore {
  constructor(@Inject(MEDIA_DIR) readonly mediaDir: string) {}

  get uploadsDir(): string {
    return join(this.mediaDir, 'uploads');
  }

  /** Scratch files of uploads and imports (partial uploads, XLSX string tables), on the media volume. */
  get tmpDir(): string {
    return join(this.uploadsDir, 'tmp');
  }

  uploadPath(sha256: string): string {
    return join(this.uploadsDir, sha256.slice(0, 2), sha256);
  }

  absolute(relativePath: string): string {
    return join(this.mediaDir, relativePath);
  }

  async uploadExists(sha256: string): Promise<boolean> {
    try {
      await access(this.uploadPath(sha256));
      return true;
    } catch {
      return false;
    }
  }

  /** Stores a local file (the CLI's `import <file>`). */
  async saveLocalFile(path: string): Promise<StoredFile> {
    return this.saveUpload(createReadStream(path), basename(path));
  }

  /**
   * Streams `source` into the uploads folder, hashing as it goes; refuses content that is not
   * CSV or XLSX as soon as the first bytes show it, and anything beyond `limitBytes`.
   */
  async saveUpload(source: Readable, originalName: string | null, limitBytes = Infinity): Promise<StoredFile> {
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = join(this.tmpDir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    let head: Buffer[] = [];
    let headBytes = 0;
    let format: FileFormat | undefined;
    const check = (final: boolean): void => {
      if (format || (!final && headBytes < SNIFF_AT)) return;
      const verdict = detectFormat(Buffer.concat(head));
      head = [];
      if ('unsupported' in verdict) throw new UnsupportedFileError(verdict.unsupported);
      format = verdict.format;
    };
    const inspect = new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
        size += chunk.length;
        if (size > limitBytes) return callback(new UploadTooLargeError(limitBytes));
        hash.update(chunk);
        if (!format) {
          head.push(chunk);
          headBytes += chunk.length;
        }
        try {
          check(false);
        } catch (err) {
          return callback(err as Error);
        }
        callback(null, chunk);
      },
      flush(callback: TransformCallback) {
        try {
          check(true);
          callback();
        } catch (err) {
          callback(err as Error);
        }
      },
    });
    try {
      await pipeline(source, inspect, createWriteStream(tmp));
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      // Let the rest of an upload drain so the client gets our answer rather than a reset.
      source.resume();
      throw err;
    }
    const sha256 = hash.digest('hex');
    const target = this.uploadPath(sha256);
    await mkdir(join(this.uploadsDir, sha256.slice(0, 2)), { recursive: true });
    const existed = await access(target).then(
      () => true,
      () => false,
    );
    if (existed) await unlink(tmp);
    else await rename(tmp, target);
    return {
      sha256,
      size,
      format: format!,
      path: relative(this.mediaDir, target),
      originalName,
      created: !existed,
    };
  }

  async removeUpload(file: StoredFile): Promise<void> {
    if (file.created) await unlink(this.absolute(file.path)).catch(() => undefined);
  }
}
