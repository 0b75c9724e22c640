import { Obj, Text, Type, type Static } from '@pjs/http';
import { ERROR_POLICIES, type ErrorPolicy } from '../runs/import-run.types';

const FLAGS = ['true', 'false', '1', '0'];
const flag = (description: string) =>
  Type.Unsafe<string>({ type: 'string', enum: FLAGS, description, errorMessage: 'must be true or false' });

/** The text fields of an upload (besides `file`), validated when the multipart body is read. */
export const ImportUploadFieldsSchema = Obj({
  profile: Type.Optional(Text(100, { description: 'Import profile id or name (default: the default profile)' })),
  error_policy: Type.Optional(
    Type.Unsafe<ErrorPolicy>({ type: 'string', enum: [...ERROR_POLICIES], default: 'apply-valid' }),
  ),
  dry_run: Type.Optional(flag('Compute the diff only, change nothing')),
  force: Type.Optional(flag('Import even if this file content was imported before')),
});
export type ImportUploadFields = Static<typeof ImportUploadFieldsSchema>;

/** The multipart form of `POST /api/imports/` and `POST /api/gpsr/`, for the OpenAPI document. */
export const UPLOAD_FORM_DOCS = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', description: 'CSV or XLSX (judged by content)' },
    profile: {
      type: 'string',
      maxLength: 100,
      description: 'Import profile id or name (default: the default profile)',
    },
    error_policy: { type: 'string', enum: [...ERROR_POLICIES], default: 'apply-valid' },
    dry_run: { type: 'string', enum: FLAGS, description: 'Compute the diff only, change nothing' },
    force: { type: 'string', enum: FLAGS, description: 'Import even if this file content was imported before' },
  },
};

/** An upload flag (`true`/`1`) as a boolean. */
export const isTrue = (value: string | undefined): boolean => value === 'true' || value === '1';
