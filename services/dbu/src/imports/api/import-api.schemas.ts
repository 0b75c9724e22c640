import { Int, Nullable, Obj, PageLinkFields, Type, type Static } from '@pjs/http';
import { pageQuery } from '../../shared/api-schemas';
import {
  ERROR_POLICIES,
  IMPORT_STATUSES,
  type ErrorPolicy,
  type ImportKind,
  type ImportStatus,
} from '../runs/import-run.types';

const oneOf = <T extends string>(values: readonly T[], extra: { description?: string; default?: T } = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...extra });

export const ImportListQuerySchema = Obj({
  status: Type.Optional(oneOf<ImportStatus>(IMPORT_STATUSES)),
  kind: Type.Optional(oneOf<ImportKind>(['catalogue', 'gpsr'])),
  ...pageQuery(20, 100),
});
export type ImportListQuery = Static<typeof ImportListQuerySchema>;

/** An id that is no UUID names no import: 404, like an unknown one. */
export const ImportIdParams = Obj({ id: Type.String({ description: 'Import id (UUID)' }) });

const count = () => Nullable(Type.Integer());
/** Documentation only: an import run as the API shows it. */
export const ImportRunSchema = Obj(
  {
    id: Type.String({ format: 'uuid' }),
    url: Type.String(),
    kind: oneOf<ImportKind>(['catalogue', 'gpsr']),
    status: oneOf<ImportStatus>(IMPORT_STATUSES),
    dry_run: Type.Boolean(),
    force: Type.Boolean(),
    error_policy: oneOf<ErrorPolicy>(ERROR_POLICIES),
    source: oneOf(['upload', 'cli', 'apply']),
    requested_by: Nullable(Type.String()),
    profile: Nullable(Obj({ id: Type.Integer(), name: Type.String() })),
    settings: Type.Object({}, { additionalProperties: true, description: 'The profile settings the run uses' }),
    file: Obj({
      name: Nullable(Type.String()),
      sha256: Type.String(),
      size: Type.Integer(),
      format: oneOf(['csv', 'xlsx']),
      stored: Type.Optional(
        Type.Boolean({
          description:
            'Whether the uploaded file is still kept. Upload files expire: dbu-cleanup deletes them CLEANUP_OLDER_THAN ' +
            '(30 days) after upload unless a queued or running import needs them. The run itself, its counts, ' +
            'changed products and rejected rows are kept indefinitely.',
        }),
      ),
    }),
    progress: Obj({
      phase: oneOf(['queued', 'parsing', 'merging', 'done']),
      rows_done: Type.Integer(),
      rows_per_second: Nullable(Type.Number()),
      percent: Type.Number(),
    }),
    counts: Obj({
      total_rows: count(),
      new: count(),
      changed: count(),
      unchanged: count(),
      invalid: count(),
      blank: count(),
    }),
    timings: Type.Object({}, { additionalProperties: true }),
    columns: Obj({
      mapping: Nullable(Type.Array(Type.Object({}, { additionalProperties: true }))),
      unmapped: Nullable(Type.Array(Type.Object({}, { additionalProperties: true }))),
    }),
    error: Nullable(Type.String()),
    attempts: Type.Integer(),
    signal: Type.Object({}, { additionalProperties: true, description: 'Delivery to SIGNAL_URL' }),
    diff: Type.Unknown({ description: 'Dry runs: the counts and a sample of the changes' }),
    details: Nullable(Type.Object({}, { additionalProperties: true })),
    changed_items_url: Nullable(Type.String()),
    rejected_rows: Type.Optional(
      Obj({
        count: Type.Integer(),
        csv_url: Type.String(),
        sample: Type.Array(Type.Object({}, { additionalProperties: true }), { description: 'The first 100' }),
      }),
    ),
  },
  {
    title: 'ImportRun',
    description:
      'An import run, kept indefinitely. Its upload file expires after CLEANUP_OLDER_THAN (see file.stored).',
  },
);

export const ImportRunPage = Obj(
  {
    count: Type.Integer(),
    ...PageLinkFields,
    page: Int(1, 1e9),
    page_size: Int(1, 100),
    results: Type.Array(ImportRunSchema),
  },
  { title: 'ImportRunPage' },
);
