import type { ImportRunRow, RejectedRow } from '../runs/import-run.types';

/** An import run as the API answers it. */
export function importRunView(
  run: ImportRunRow,
  extra: { fileStored?: boolean; rejected?: { count: number; sample: RejectedRow[] } } = {},
) {
  const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms) / 1000);
  const duration =
    run.started_at && run.finished_at ? (Date.parse(run.finished_at) - Date.parse(run.started_at)) / 1000 : null;
  return {
    id: run.id,
    url: `/api/imports/${run.id}/`,
    kind: run.kind,
    status: run.status,
    dry_run: run.dry_run,
    force: run.force,
    error_policy: run.error_policy,
    source: run.source,
    requested_by: run.requested_by,
    profile: run.settings.profile,
    settings: run.settings,
    file: {
      name: run.file_name,
      sha256: run.file_sha256,
      size: Number(run.file_size),
      format: run.file_format,
      ...(extra.fileStored === undefined ? {} : { stored: extra.fileStored }),
    },
    progress: {
      phase: run.phase,
      rows_done: run.rows_done,
      rows_per_second: run.rows_per_second === null ? null : Number(run.rows_per_second),
      percent: Number(run.progress_percent),
    },
    counts: {
      total_rows: run.rows_total,
      new: run.new_count,
      changed: run.changed_count,
      unchanged: run.unchanged_count,
      invalid: run.invalid_count,
      blank: run.blank_count,
    },
    timings: {
      created_at: run.created_at,
      started_at: run.started_at,
      finished_at: run.finished_at,
      parse_seconds: seconds(run.parse_ms),
      merge_seconds: seconds(run.merge_ms),
      duration_seconds: duration,
    },
    columns: { mapping: run.column_mapping, unmapped: run.unmapped_columns },
    error: run.error,
    attempts: run.attempts,
    signal: {
      status: run.signal_status,
      attempts: run.signal_attempts,
      error: run.signal_error,
      delivered_at: run.signal_delivered_at,
    },
    diff: run.diff,
    details: run.details,
    changed_items_url: run.status === 'succeeded' && !run.dry_run ? `/api/products/?changed_in_import=${run.id}` : null,
    ...(extra.rejected
      ? {
          rejected_rows: {
            count: extra.rejected.count,
            csv_url: `/api/imports/${run.id}/errors.csv`,
            sample: extra.rejected.sample.map((r) => ({ row: r.row_no, errors: r.errors, values: r.values })),
          },
        }
      : {}),
  };
}
