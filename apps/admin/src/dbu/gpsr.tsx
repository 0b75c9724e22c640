import { useEffect, useState } from 'react';
import {
  BooleanField,
  Datagrid,
  DateField,
  FunctionField,
  Link,
  ListBase,
  Pagination,
  TextField,
  Title,
  useDataProvider,
  useNotify,
  useRefresh,
  type RaRecord,
} from 'react-admin';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Checkbox,
  FormControlLabel,
  LinearProgress,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import type { CustomCalls } from '../api/data-provider';
import { quantity } from '../format';

type Api = CustomCalls & ReturnType<typeof useDataProvider>;
type Run = Awaited<ReturnType<CustomCalls['importRun']>>;
type Completeness = Awaited<ReturnType<CustomCalls['gpsrCompleteness']>>;

/** What a GPSR run reports beyond its counts (`details`, see GpsrImporter). */
interface GpsrDetails {
  manufacturers_in_file?: number;
  products_linked?: number;
  products_changed?: number;
  unknown_items?: number;
  incomplete_products?: number;
  incomplete_manufacturers?: { name: string; missing: string[] }[];
  conflicts?: { manufacturer: string; field: string; values: string[] }[];
}

/** "1 row", "3 rows". */
const some = (n: number | null | undefined, one: string, many: string) => `${quantity(n)} ${n === 1 ? one : many}`;

const finished = (run: Run) => !['queued', 'running'].includes(run.status);

/** Polls a run until it ends; `onFinished` once when it does. */
function useRun(id: string | null, onFinished: () => void): Run | null {
  const api = useDataProvider<Api>();
  const [run, setRun] = useState<Run | null>(null);
  useEffect(() => {
    if (!id) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setRun(null);
    const poll = () => {
      api
        .importRun(id)
        .then((r) => {
          if (!live) return;
          setRun(r);
          if (finished(r)) onFinished();
          else timer = setTimeout(poll, 1000);
        })
        .catch(() => live && (timer = setTimeout(poll, 2000)));
    };
    poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // onFinished is a new function each render: the run id alone decides what to poll.
  }, [api, id]);
  return run;
}

/** A finished GPSR run: manufacturers merged, products linked, and every row it rejected and why. */
const GpsrResult = ({ run }: { run: Run }) => {
  const details = (run.details ?? {}) as GpsrDetails;
  return (
    <Box data-testid="gpsr-result" data-status={run.status} sx={{ mt: 2 }}>
      <Typography variant="h6" component="h3">
        {run.file.name ?? run.id} — {run.status}
        {run.dry_run ? ' (dry run, nothing changed)' : ''}
      </Typography>
      {run.error && <Alert severity="error">{run.error}</Alert>}
      <Typography data-testid="gpsr-counts">
        {some(details.manufacturers_in_file, 'manufacturer', 'manufacturers')} in the file: {quantity(run.counts.new)}{' '}
        new, {quantity(run.counts.changed)} updated, {quantity(run.counts.unchanged)} unchanged;{' '}
        {some(run.counts.invalid, 'row', 'rows')} rejected
      </Typography>
      <Typography data-testid="gpsr-links">
        {some(details.products_linked, 'product', 'products')} linked by item number,{' '}
        {quantity(details.products_changed)} changed,{' '}
        {some(details.unknown_items, 'unknown item number', 'unknown item numbers')};{' '}
        {some(details.incomplete_products, 'product', 'products')} still missing GPSR data
      </Typography>
      <Link to={`/imports/${run.id}/show`}>Open the import run</Link>
      {details.incomplete_manufacturers && details.incomplete_manufacturers.length > 0 && (
        <>
          <Typography variant="subtitle2" sx={{ mt: 2 }}>
            Manufacturers of the file still incomplete
          </Typography>
          <Table size="small" data-testid="gpsr-incomplete-manufacturers">
            <TableBody>
              {details.incomplete_manufacturers.map((m) => (
                <TableRow key={m.name}>
                  <TableCell>{m.name}</TableCell>
                  <TableCell>missing: {m.missing.join(', ')}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
      {details.conflicts && details.conflicts.length > 0 && (
        <>
          <Typography variant="subtitle2" sx={{ mt: 2 }}>
            Disagreeing rows (the most frequent value was taken)
          </Typography>
          <Table size="small" data-testid="gpsr-conflicts">
            <TableBody>
              {details.conflicts.map((c) => (
                <TableRow key={`${c.manufacturer}:${c.field}`}>
                  <TableCell>{c.manufacturer}</TableCell>
                  <TableCell>{c.field}</TableCell>
                  <TableCell>{c.values.join(' / ')}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
      {run.rejected_rows && run.rejected_rows.count > 0 && (
        <>
          <Typography variant="subtitle2" sx={{ mt: 2 }}>
            Rejected rows ({quantity(run.rejected_rows.count)})
          </Typography>
          <Button href={`/api/imports/${run.id}/errors.csv`} download variant="outlined" size="small" sx={{ my: 1 }}>
            Download rejected rows (CSV)
          </Button>
          <Table size="small" data-testid="gpsr-rejected-rows">
            <TableHead>
              <TableRow>
                <TableCell>Row</TableCell>
                <TableCell>Why</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {run.rejected_rows.sample.map((r) => {
                const row = r as { row: number; errors: { column: string; reason: string }[] };
                return (
                  <TableRow key={row.row}>
                    <TableCell>{row.row}</TableCell>
                    <TableCell>{row.errors.map((e) => `${e.column}: ${e.reason}`).join('; ')}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </>
      )}
    </Box>
  );
};

/**
 * Upload a GPSR spreadsheet (manufacturer address, contact, EU responsible person; any header
 * wording) and follow its run to the result.
 */
const GpsrUpload = ({ onFinished }: { onFinished: () => void }) => {
  const api = useDataProvider<Api>();
  const notify = useNotify();
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(false);
  // One key per chosen file: a resent upload of it (a lost answer, a double click) queues once.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [busy, setBusy] = useState(false);
  const [runId, setRunId] = useState<string | null>(null);
  const run = useRun(runId, onFinished);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    try {
      const queued = await api.uploadGpsr(file, key, { dryRun });
      setRunId(queued.id);
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card component="section" aria-labelledby="gpsr-upload-title">
      <CardContent>
        <Typography variant="h6" component="h2" id="gpsr-upload-title">
          Upload GPSR data
        </Typography>
        <Box component="form" onSubmit={(e) => void submit(e)} aria-label="Upload a GPSR file">
          <Stack spacing={2} sx={{ maxWidth: 520, mt: 1 }}>
            <label htmlFor="gpsr-file">
              <Typography variant="body2">GPSR spreadsheet (CSV or XLSX; one row per manufacturer or item)</Typography>
              <input
                id="gpsr-file"
                name="file"
                type="file"
                accept=".csv,.xlsx,text/csv"
                required
                onChange={(e) => {
                  setFile(e.target.files?.[0] ?? null);
                  setKey(crypto.randomUUID());
                }}
              />
            </label>
            <FormControlLabel
              control={<Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />}
              label="Dry run: report only, change nothing"
            />
            <Box>
              <Button type="submit" variant="contained" disabled={!file || busy}>
                Upload
              </Button>
            </Box>
          </Stack>
        </Box>
        {runId && !run && <LinearProgress sx={{ mt: 2 }} />}
        {run && !finished(run) && (
          <Box sx={{ mt: 2 }}>
            <Typography>
              {run.progress.phase}: {quantity(run.progress.rows_done)} rows
            </Typography>
            <LinearProgress variant="determinate" value={run.progress.percent} aria-label="Progress" />
          </Box>
        )}
        {run && finished(run) && <GpsrResult run={run} />}
      </CardContent>
    </Card>
  );
};

/** A count as the API gives it: "about" when it is the planner's estimate. */
const counted = (c: { count: number; estimated: boolean }) => `${c.estimated ? 'about ' : ''}${quantity(c.count)}`;

/** How many products have complete GPSR data and how many miss some; recounted when `version` moves. */
const GpsrCompleteness = ({ version }: { version: number }) => {
  const api = useDataProvider<Api>();
  const [numbers, setNumbers] = useState<Completeness | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api
      .gpsrCompleteness()
      .then((n) => live && (setNumbers(n), setError(null)))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [api, version]);
  return (
    <Card sx={{ mt: 2 }} component="section" aria-labelledby="gpsr-completeness-title">
      <CardContent>
        <Typography variant="h6" component="h2" id="gpsr-completeness-title">
          Completeness
        </Typography>
        {error && <Alert severity="error">{error}</Alert>}
        {numbers && (
          <Typography
            data-testid="gpsr-completeness"
            data-complete={numbers.complete.count}
            data-missing={numbers.missing.count}
          >
            {counted(numbers.complete)} products with complete GPSR data, {counted(numbers.missing)} missing some
          </Typography>
        )}
      </CardContent>
    </Card>
  );
};

/** The products whose manufacturer data is incomplete (or who have none), cursor-paged. */
const MissingProducts = () => (
  <Card sx={{ mt: 2 }} component="section" aria-labelledby="gpsr-missing-title">
    <CardContent>
      <Typography variant="h6" component="h2" id="gpsr-missing-title">
        Products missing GPSR data
      </Typography>
      <ListBase
        resource="products"
        filter={{ complete: false }}
        sort={{ field: 'item_no', order: 'ASC' }}
        perPage={10}
        disableSyncWithLocation
      >
        <Box data-testid="gpsr-missing">
          <Datagrid rowClick="edit" bulkActionButtons={false}>
            <TextField source="item_no" label="Item no." sortable={false} />
            <TextField source="title" sortable={false} />
            <FunctionField
              source="manufacturer_name"
              label="Manufacturer"
              sortable={false}
              render={(r: RaRecord) => (r.manufacturer_name ? String(r.manufacturer_name) : '– (none)')}
            />
            <BooleanField source="gpsr_complete" label="GPSR" sortable={false} />
            <DateField source="updated_at" showTime sortable={false} />
          </Datagrid>
          <Pagination rowsPerPageOptions={[10, 25, 50]} />
        </Box>
      </ListBase>
    </CardContent>
  </Card>
);

/** DBU's GPSR page: upload manufacturer data, see how complete the catalogue is and what is missing. */
export const GpsrPage = () => {
  const refresh = useRefresh();
  // Moves when a run finishes: the numbers are read again (and, by refresh, the list).
  const [version, setVersion] = useState(0);
  return (
    <Box sx={{ mt: 2 }}>
      <Title title="GPSR" />
      <GpsrUpload
        onFinished={() => {
          setVersion((v) => v + 1);
          refresh();
        }}
      />
      <GpsrCompleteness version={version} />
      <MissingProducts />
    </Box>
  );
};
