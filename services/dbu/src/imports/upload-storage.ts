import { PayloadTooLargeException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { ApiException, FieldValidationException } from '@pjs/http';
import type { StoredFile } from './import-run.types';
import { type MediaStore, UnsupportedFileError, UploadTooLargeError } from './media-store';

/** What multer puts on `req.file` with this engine. */
export type UploadedCatalogueFile = Express.Multer.File & StoredFile;

export class PayloadTooLargeApiException extends ApiException {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `The file is larger than the upload limit of ${limitBytes} bytes.`);
  }
}

/**
 * multer storage for uploads: streams the part to MEDIA_DIR by SHA-256 (never buffered in
 * memory), refusing content that is not CSV or XLSX as soon as its first bytes show it.
 */
export class UploadStorage implements StorageEngine {
  constructor(
    private readonly media: MediaStore,
    private readonly limitBytes: number,
  ) {}

  _handleFile(
    _req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void,
  ): void {
    this.media.saveUpload(file.stream, file.originalname || null, this.limitBytes).then(
      (stored) => callback(null, stored as unknown as Partial<Express.Multer.File>),
      (err: unknown) => {
        if (err instanceof UnsupportedFileError) callback(new FieldValidationException('file', err.message));
        else if (err instanceof UploadTooLargeError) callback(new PayloadTooLargeApiException(this.limitBytes));
        else callback(err);
      },
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    this.media.removeUpload(file as UploadedCatalogueFile).then(
      () => callback(null),
      (err: Error) => callback(err),
    );
  }
}

/** Answers 413 before reading a body whose announced length is over the limit (plus form overhead). */
export class UploadSizeGuard implements CanActivate {
  constructor(private readonly limitBytes: number) {}

  canActivate(context: ExecutionContext): boolean {
    const length = Number(context.switchToHttp().getRequest<Request>().headers['content-length'] ?? NaN);
    if (Number.isFinite(length) && length > this.limitBytes + 64 * 1024) {
      throw new PayloadTooLargeApiException(this.limitBytes);
    }
    return true;
  }
}

export { PayloadTooLargeException };
