import type { RunSettings } from '../../import-profiles/profile-settings';
import type { FileFormat } from '../read/file-sniffer';

export type ImportKind = 'catalogue' | 'gpsr';
export type ImportStatus = 'queued' | 'running' | 'succeeded' | 'rejected' | 'failed';
export type ImportPhase = 'queued' | 'parsing' | 'merging' | 'done';
export type ErrorPolicy = 'apply-valid' | 'reject-all';
/** Who made the run: an upload, the CLI, or the apply of a reviewed dry run. */
export type ImportSource = 'upload' | 'cli' | 'apply';
export const ERROR_POLICIES: readonly ErrorPolicy[] = ['apply-valid', 'reject-all'];
export const IMPORT_STATUSES: readonly ImportStatus[] = ['queued', 'running', 'succeeded', 'rejected', 'failed'];

export interface StoredFile {
  sha256: string;
  size: number;
  format: FileFormat;
  /** Path relative to MEDIA_DIR. */
  path: string;
  /** The file's name as uploaded (for display only). */
  originalName: string | null;
  /** True when this upload wrote the file (it did not exist under its hash before). */
  created: boolean;
}

export interface NewImportRun {
  id: string;
  kind: ImportKind;
  dryRun: boolean;
  force: boolean;
  errorPolicy: ErrorPolicy;
  source: ImportSource;
  requestedBy: string | null;
  profileId: number | null;
  settings: RunSettings;
  file: StoredFile;
}

export interface ImportCounts {
  new: number;
  changed: number;
  unchanged: number;
  invalid: number;
}

/** An import run as stored. */
export interface ImportRunRow {
  id: string;
  kind: ImportKind;
  status: ImportStatus;
  phase: ImportPhase;
  dry_run: boolean;
  force: boolean;
  error_policy: ErrorPolicy;
  source: ImportSource;
  requested_by: string | null;
  profile_id: number | null;
  settings: RunSettings;
  file_name: string | null;
  file_sha256: string;
  file_size: string;
  file_format: FileFormat;
  header: string[] | null;
  column_mapping: { index: number; header: string; field: string; how: string }[] | null;
  unmapped_columns: { index: number; header: string; reason: string }[] | null;
  rows_total: number | null;
  rows_done: number;
  rows_per_second: string | null;
  progress_percent: string;
  new_count: number | null;
  changed_count: number | null;
  unchanged_count: number | null;
  invalid_count: number | null;
  blank_count: number | null;
  diff: unknown;
  details: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  signal_status: string | null;
  signal_attempts: number;
  signal_error: string | null;
  signal_delivered_at: string | null;
  created_at: string;
  started_at: string | null;
  heartbeat_at: string | null;
  parse_ms: number | null;
  merge_ms: number | null;
  finished_at: string | null;
}

export interface RejectedRow {
  row_no: number;
  values: string[];
  errors: { column: string; value: string; reason: string }[];
}
