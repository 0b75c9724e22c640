import { Inject, Injectable } from '@nestjs/common';
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ApiException, FieldValidationException, compileBodySchema, fieldErrors, validationFailed } from '@pjs/http';
import { type ImportUploadFields, ImportUploadFieldsSchema } from './upload-fields';
import type { StoredFile } from '../runs/import-run.types';
import { MediaStore, UnsupportedFileError, UploadTooLargeError } from './media-store';

export const UPLOAD_OPTIONS = Symbol('UPLOAD_OPTIONS');

export interface UploadOptions {
  /** UPLOAD_LIMIT_BYTES. */
  limitBytes: number;
}

/** Room for the multipart framing and the text fields on top of the file itself. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** @fastify/multipart's limits for an upload route: one file, a few small text fields. */
export function multipartLimits(limitBytes: number) {
  // One byte over the limit reaches MediaStore, which refuses it and removes the partial file.
  return { fileSize: limitBytes + 1, files: 1, fields: 20, fieldSize: FORM_OVERHEAD_BYTES, parts: 25 };
}

export class PayloadTooLargeApiException extends ApiException {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `The file is larger than the upload limit of ${limitBytes} bytes.`);
  }
}

export interface ReceivedUpload {
  file: StoredFile;
  fields: ImportUploadFields;
}

/**
 * Reads a catalogue upload (`multipart/form-data` with a `file` part and text fields): the file
 * is streamed to MEDIA_DIR by SHA-256 as it arrives (never held in memory), refused as soon as its
 * first bytes show it is no CSV or XLSX, or once it passes UPLOAD_LIMIT_BYTES (413, the partial
 * file removed); the text fields are checked against ImportUploadFields.
 */
@Injectable()
export class UploadReceiver {
  private readonly validateFields = compileBodySchema<ImportUploadFields>(ImportUploadFieldsSchema);

  constructor(
    @Inject(UPLOAD_OPTIONS) private readonly options: UploadOptions,
    private readonly media: MediaStore,
  ) {}

  async receive(request: FastifyRequest): Promise<ReceivedUpload> {
    const limit = this.options.limitBytes;
    const announced = Number(request.headers['content-length'] ?? NaN);
    if (Number.isFinite(announced) && announced > limit + FORM_OVERHEAD_BYTES) {
      // Answered before a byte of the body is read; the rest is discarded as it arrives.
      request.raw.resume();
      throw new PayloadTooLargeApiException(limit);
    }
    if (!request.isMultipart()) throw missingFile();

    const fields: Record<string, string> = {};
    let file: StoredFile | undefined;
    // Whether an error came from storing the file (ours) rather than from parsing the body (the caller's).
    let storing = false;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          fields[part.fieldname] = String(part.value);
          continue;
        }
        if (part.fieldname !== 'file') {
          throw new FieldValidationException(part.fieldname, 'is not expected: send the file as the field "file"');
        }
        // Fields sent before the file are checked before the file is stored.
        this.checkFields({ ...fields });
        storing = true;
        file = await this.store(part);
        storing = false;
      }
    } catch (err) {
      if (file) await this.media.removeUpload(file);
      // Whatever of the body is still on its way is discarded, so the caller gets this answer.
      request.raw.resume();
      throw this.translate(err, storing);
    }
    if (!file) throw missingFile();
    try {
      return { file, fields: this.checkFields(fields) };
    } catch (err) {
      await this.media.removeUpload(file);
      throw err;
    }
  }

  private async store(part: Multipart & { type: 'file' }): Promise<StoredFile> {
    const stored = await this.media.saveUpload(part.file, part.filename || null, this.options.limitBytes);
    if (part.file.truncated) {
      await this.media.removeUpload(stored);
      throw new UploadTooLargeError(this.options.limitBytes);
    }
    return stored;
  }

  private checkFields(fields: Record<string, string>): ImportUploadFields {
    if (!this.validateFields(fields)) throw validationFailed(fieldErrors(this.validateFields.errors ?? [], 'body'));
    return fields;
  }

  private translate(err: unknown, storing: boolean): unknown {
    if (err instanceof UnsupportedFileError) return new FieldValidationException('file', err.message);
    if (err instanceof UploadTooLargeError || (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      return new PayloadTooLargeApiException(this.options.limitBytes);
    }
    // The multipart parser's own errors (no boundary, a broken part header, the body ending mid-part)
    // carry no status: the body is malformed, a 400 like a broken JSON body, not a 500.
    if (!storing && !(err instanceof ApiException) && (err as { statusCode?: number }).statusCode === undefined) {
      return new ApiException(400, 'malformed_body', 'The request body is not valid multipart/form-data.');
    }
    return err;
  }
}

/** What an upload asks for, for its Idempotency-Key: the file's content (SHA-256) and the fields. */
export function uploadRequest(upload: ReceivedUpload): { file_sha256: string; fields: ImportUploadFields } {
  return { file_sha256: upload.file.sha256, fields: upload.fields };
}

function missingFile(): FieldValidationException {
  return new FieldValidationException('file', 'is required (a multipart field "file" with a CSV or XLSX file)');
}
