import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { SafeFetch, SafeFetchResponse } from '@pjs/egress';
import { describeFetchError } from '../shared/fetch-error';
import { SAFE_FETCH } from '../shared/safe-fetch.provider';
import { detectImageType, MAGIC_BYTES, type ImageType } from './image-type';
import { PHOTO_OPTIONS, type PhotoOptions } from './photo.options';

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

export interface StoredPhoto {
  sha256: string;
  /** Relative to MEDIA_DIR: `photos/ab/<sha256>.jpg`. */
  path: string;
  contentType: string;
  bytes: number;
}

/**
 * Why a photo could not be stored: the message is recorded on the photo and shown to operators. It
 * is one of a few fixed reasons (with numbers we chose or the status code), never bytes of the answer.
 */
export class PhotoFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PhotoFetchError';
  }
}

/**
 * Downloads one image through the SSRF-safe fetch (public addresses only, also after DNS and each
 * redirect, at most 3 redirects): one time limit for the whole transfer, a size limit checked against the
 * announced length and while streaming, the type judged by magic bytes, the file written under
 * MEDIA_DIR by the SHA-256 of its content (the same image for many products is stored once).
 */
@Injectable()
export class PhotoFetcher {
  private readonly mediaDir: string;
  private readonly limits: FetchLimits;

  constructor(
    @Inject(PHOTO_OPTIONS) options: Pick<PhotoOptions, 'mediaDir' | 'timeoutMs' | 'maxBytes'>,
    @Inject(SAFE_FETCH) private readonly safeFetch: SafeFetch,
  ) {
    this.mediaDir = options.mediaDir;
    this.limits = { timeoutMs: options.timeoutMs, maxBytes: options.maxBytes };
  }

  async fetch(url: string): Promise<StoredPhoto> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PhotoFetchError('not a URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new PhotoFetchError('not an http(s) URL');
    const signal = AbortSignal.timeout(this.limits.timeoutMs);
    let res: SafeFetchResponse;
    try {
      res = await this.safeFetch(parsed, { signal, headers: { 'user-agent': 'pjs-dbu-photos/1' } });
    } catch (err) {
      throw new PhotoFetchError(describeFetchError(err));
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new PhotoFetchError(`HTTP ${res.status}`);
    }
    const announced = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(announced) && announced > this.limits.maxBytes) {
      await res.body.cancel().catch(() => undefined);
      throw new PhotoFetchError(`larger than ${this.limits.maxBytes} bytes (${announced})`);
    }
    const tmpDir = join(this.mediaDir, 'photos', 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${randomUUID()}.part`);
    const out = createWriteStream(tmp);
    const hash = createHash('sha256');
    let bytes = 0;
    let head = Buffer.alloc(0);
    let type: ImageType | undefined;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const buffer = Buffer.from(chunk);
        bytes += buffer.length;
        if (bytes > this.limits.maxBytes) throw new PhotoFetchError(`larger than ${this.limits.maxBytes} bytes`);
        if (!type) {
          head = Buffer.concat([head, buffer]).subarray(0, MAGIC_BYTES);
          if (head.length >= MAGIC_BYTES) {
            type = detectImageType(head);
            if (!type) throw new PhotoFetchError('not an image');
          }
        }
        hash.update(buffer);
        if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      if (!type) type = detectImageType(head);
      if (!type) throw new PhotoFetchError(bytes === 0 ? 'empty response' : 'not an image');
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    } catch (err) {
      out.destroy();
      await unlink(tmp).catch(() => undefined);
      throw err instanceof PhotoFetchError ? err : new PhotoFetchError(describeFetchError(err));
    }
    const sha256 = hash.digest('hex');
    const relative = join('photos', sha256.slice(0, 2), `${sha256}.${type.extension}`);
    const target = join(this.mediaDir, relative);
    await mkdir(join(this.mediaDir, 'photos', sha256.slice(0, 2)), { recursive: true });
    const exists = await access(target).then(
      () => true,
      () => false,
    );
    if (exists) await unlink(tmp);
    else await rename(tmp, target);
    return { sha256, path: relative, contentType: type.contentType, bytes };
  }
}
