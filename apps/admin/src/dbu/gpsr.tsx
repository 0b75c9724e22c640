import { useState } from 'react';
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
  useRefresh,
  type RaRecord,
} from 'react-admin';
import { Alert, Box, Button, Card, CardContent, LinearProgress, Stack, Typography } from '@mui/material';
import { quantity } from '../format';
import { useAction, useApi, useApiData } from '../shared/api';
import { Section } from '../shared/section';
import { SimpleTable } from '../shared/simple-table';
import { OptionCheckbox, RejectedRows, RunProgress, SpreadsheetInput, useImportRun, type Run } from './import-run';

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
          <SimpleTable
            testId="gpsr-incomplete-manufacturers"
            rows={details.incomplete_manufacturers}
            rowKey={(m) => m.name}
            columns={[{ cell: (m) => m.name }, { cell: (m) => `missing: ${m.missing.join(', ')}` }]}
          />
        </>
      )}
      {details.conflicts && details.conflicts.length > 0 && (
        <>
          <Typography variant="subtitle2" sx={{ mt: 2 }}>
            Disagreeing rows (the most frequent value was taken)
          </Typography>
          <SimpleTable
            testId="gpsr-conflicts"
            rows={details.conflicts}
            rowKey={(c) => `${c.manufacturer}:${c.field}`}
            columns={[{ cell: (c) => c.manufacturer }, { cell: (c) => c.field }, { cell: (c) => c.values.join(' / ') }]}
          />
        </>
      )}
      {run.rejected_rows && run.rejected_rows.count > 0 && (
        <>
          <Typography variant="subtitle2" sx={{ mt: 2 }}>
            Rejected rows ({quantity(run.rejected_rows.count)})
          </Typography>
          <RejectedRows run={run} testId="gpsr-rejected-rows" size="small" />
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
  const api = useApi();
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(false);
  // One key per chosen file: a resent upload of it (a lost answer, a double click) queues once.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const { busy, run: act } = useAction();
  const [runId, setRunId] = useState<string | null>(null);
  // The upload card has no place for a failed read: it reads again until the run ends.
  const { run, done } = useImportRun(runId, { onFinished, retry: true });

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return;
    await act(async () => setRunId((await api.uploadGpsr(file, key, { dryRun })).id));
  };

  return (
    <Card component="section" aria-labelledby="gpsr-upload-title">
      <CardContent>
        <Typography variant="h6" component="h2" id="gpsr-upload-title">
          Upload GPSR data
        </Typography>
        <Box component="form" onSubmit={(e) => void submit(e)} aria-label="Upload a GPSR file">
          <Stack spacing={2} sx={{ maxWidth: 520, mt: 1 }}>
            <SpreadsheetInput
              id="gpsr-file"
              label="GPSR spreadsheet (CSV or XLSX; one row per manufacturer or item)"
              onChange={(chosen) => {
                setFile(chosen);
                setKey(crypto.randomUUID());
              }}
            />
            <OptionCheckbox label="Dry run: report only, change nothing" checked={dryRun} onChange={setDryRun} />
            <Box>
              <Button type="submit" variant="contained" disabled={!file || busy}>
                Upload
              </Button>
            </Box>
          </Stack>
        </Box>
        {runId && !run && <LinearProgress sx={{ mt: 2 }} />}
        {run && !done && <RunProgress run={run} sx={{ mt: 2 }} />}
        {run && done && <GpsrResult run={run} />}
      </CardContent>
    </Card>
  );
};

/** A count as the API gives it: "about" when it is the planner's estimate. */
const counted = (c: { count: number; estimated: boolean }) => `${c.estimated ? 'about ' : ''}${quantity(c.count)}`;

/** How many products have complete GPSR data and how many miss some; recounted when `version` moves. */
const GpsrCompleteness = ({ version }: { version: number }) => {
  const { data: numbers, error } = useApiData((api) => api.gpsrCompleteness(), [version]);
  return (
    <Section id="gpsr-completeness" title="Completeness">
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
    </Section>
  );
};

/** The products whose manufacturer data is incomplete (or who have none), cursor-paged. */
const MissingProducts = () => (
  <Section id="gpsr-missing" title="Products missing GPSR data">
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
  </Section>
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
