import { useEffect, useState } from 'react';
import {
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  LinearProgress,
  Typography,
  type SxProps,
  type Theme,
} from '@mui/material';
import type { CustomCalls } from '../api/data-provider';
import { quantity } from '../format';
import { useApi } from '../shared/api';
import { SimpleTable } from '../shared/simple-table';

/** An import run as the API reports it: catalogue and GPSR uploads, dry runs and applies. */
export type Run = Awaited<ReturnType<CustomCalls['importRun']>>;

const finished = (run: Run) => !['queued', 'running'].includes(run.status);

/**
 * Reads run `id` every second until it is `done`, then calls `onFinished` once. A failed read ends
 * the polling as `error`, or with `retry` is read again 2 s later (for a page with nowhere to show it).
 */
export function useImportRun(
  id: string | null,
  { onFinished, retry = false }: { onFinished?: () => void; retry?: boolean } = {},
): { run: Run | null; done: boolean; error: string | null } {
  const api = useApi();
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Another run (an apply just made) starts from its own progress, not the last run's page.
    setRun(null);
    setError(null);
    const poll = () => {
      api
        .importRun(id)
        .then((r) => {
          if (!live) return;
          setRun(r);
          if (finished(r)) onFinished?.();
          else timer = setTimeout(poll, 1000);
        })
        .catch((e: Error) => {
          if (!live) return;
          if (retry) timer = setTimeout(poll, 2000);
          else setError(e.message);
        });
    };
    poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // onFinished is a new function each render: the run id alone decides what to poll.
  }, [api, id, retry]);
  return { run, done: run !== null && finished(run), error };
}

/** The file of an upload form: a spreadsheet, as the importers read CSV and XLSX. */
export const SpreadsheetInput = ({
  id,
  label,
  onChange,
}: {
  id: string;
  label: string;
  onChange: (file: File | null) => void;
}) => (
  <label htmlFor={id}>
    <Typography variant="body2">{label}</Typography>
    <input
      id={id}
      name="file"
      type="file"
      accept=".csv,.xlsx,text/csv"
      required
      onChange={(e) => onChange(e.target.files?.[0] ?? null)}
    />
  </label>
);

/** An option of an upload form, on or off. */
export const OptionCheckbox = ({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) => (
  <FormControlLabel
    control={<Checkbox checked={checked} onChange={(e) => onChange(e.target.checked)} />}
    label={label}
  />
);

/** How far a running run is: its phase, the rows read and a bar. */
export const RunProgress = ({ run, sx }: { run: Run; sx: SxProps<Theme> }) => (
  <Box sx={sx}>
    <Typography>
      {run.progress.phase}: {quantity(run.progress.rows_done)} rows
    </Typography>
    <LinearProgress variant="determinate" value={run.progress.percent} aria-label="Progress" />
  </Box>
);

type RejectedRow = { row: number; errors: { column: string; reason: string }[] };

/** A finished run's rejected rows: all of them as CSV, the first ones in a table with why. */
export const RejectedRows = ({ run, testId, size }: { run: Run; testId: string; size?: 'small' }) => (
  <>
    <Button href={`/api/imports/${run.id}/errors.csv`} download variant="outlined" size={size} sx={{ my: 1 }}>
      Download rejected rows (CSV)
    </Button>
    <SimpleTable
      testId={testId}
      rows={run.rejected_rows?.sample as RejectedRow[] | undefined}
      rowKey={(r) => r.row}
      columns={[
        { head: 'Row', cell: (r) => r.row },
        { head: 'Why', cell: (r) => r.errors.map((e) => `${e.column}: ${e.reason}`).join('; ') },
      ]}
    />
  </>
);
