import { useState } from 'react';
import {
  Confirm,
  Datagrid,
  DateField,
  FunctionField,
  HttpError,
  Link,
  List,
  SelectInput,
  TextField,
  Title,
  useGetList,
  useNotify,
  useRedirect,
  type RaRecord,
} from 'react-admin';
import { useParams } from 'react-router';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  LinearProgress,
  MenuItem,
  Stack,
  TextField as MuiTextField,
  Typography,
} from '@mui/material';
import type { CustomCalls } from '../api/data-provider';
import { quantity } from '../format';
import { useAction, useApi, useApiData } from '../shared/api';
import { showPath } from '../shared/list';
import { Section } from '../shared/section';
import { SimpleTable, type Column } from '../shared/simple-table';
import { OptionCheckbox, RejectedRows, RunProgress, SpreadsheetInput, useImportRun, type Run } from './import-run';

const statusChoices = ['queued', 'running', 'succeeded', 'rejected', 'failed'].map((s) => ({ id: s, name: s }));

export const ImportList = () => (
  <List filters={[<SelectInput key="status" source="status" choices={statusChoices} alwaysOn />]} exporter={false}>
    <Datagrid rowClick={(id) => showPath('imports', id)} bulkActionButtons={false}>
      <DateField source="timings.created_at" label="Uploaded" showTime sortable={false} />
      <TextField source="kind" sortable={false} />
      <TextField source="status" sortable={false} />
      <FunctionField label="Dry run" render={(r: RaRecord) => (r.dry_run ? 'yes' : 'no')} />
      <TextField source="file.name" label="File" sortable={false} />
      <TextField source="requested_by" label="By" sortable={false} />
      <FunctionField
        label="New / changed / rejected"
        render={(r: RaRecord) => {
          const c = r.counts as Run['counts'];
          return `${quantity(c.new)} / ${quantity(c.changed)} / ${quantity(c.invalid)}`;
        }}
      />
    </Datagrid>
  </List>
);

/** Upload a catalogue file with a profile; a dry run shows the diff first and changes nothing. */
export const ImportUpload = () => {
  const api = useApi();
  const redirect = useRedirect();
  const { data: profiles } = useGetList<RaRecord & { name: string }>('import-profiles');
  const [file, setFile] = useState<File | null>(null);
  const [profile, setProfile] = useState('');
  const [dryRun, setDryRun] = useState(true);
  const [rejectAll, setRejectAll] = useState(false);
  const { busy, run } = useAction();

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return;
    await run(async () => {
      const queued = await api.uploadImport(file, { profile: profile || undefined, dryRun, rejectAll });
      redirect(`/imports/${queued.id}/show`);
    });
  };

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Upload a catalogue file" />
      <CardContent>
        <Box component="form" onSubmit={(e) => void submit(e)} aria-label="Upload a catalogue file">
          <Stack spacing={2} sx={{ maxWidth: 520 }}>
            <SpreadsheetInput id="import-file" label="Catalogue file (CSV or XLSX)" onChange={setFile} />
            <MuiTextField
              select
              label="Import profile"
              value={profile}
              onChange={(e) => setProfile(e.target.value)}
              id="import-profile"
              size="small"
            >
              <MenuItem value="">The default profile</MenuItem>
              {profiles?.map((p) => (
                <MenuItem key={String(p.id)} value={String(p.id)}>
                  {String(p.name)}
                </MenuItem>
              ))}
            </MuiTextField>
            <OptionCheckbox label="Dry run: show the diff, change nothing" checked={dryRun} onChange={setDryRun} />
            <OptionCheckbox
              label="Reject the whole file if a row is invalid"
              checked={rejectAll}
              onChange={setRejectAll}
            />
            <Button type="submit" variant="contained" disabled={!file || busy}>
              Upload
            </Button>
          </Stack>
        </Box>
      </CardContent>
    </Card>
  );
};

/** A value of the diff for people: text as is, anything else as JSON. */
const show = (value: unknown): string =>
  value === null || value === undefined ? '–' : typeof value === 'string' ? value : JSON.stringify(value);

interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

interface Diff {
  new_items?: string[];
  changes?: { item_no: string; changes: FieldChange[] }[];
}

const diffColumns: Column<FieldChange & { item_no: string }>[] = [
  { head: 'Item', cell: (c) => c.item_no },
  { head: 'Field', cell: (c) => c.field },
  { head: 'Old', cell: (c) => show(c.old) },
  { head: 'New', cell: (c) => show(c.new) },
];

/** What the page says when the API refuses to apply a dry run: what happened and what to do now. */
interface Refusal {
  code: string;
  message: string;
  /** The import that applied this dry run already. */
  appliedId?: string;
}

function refusalOf(error: unknown): Refusal | null {
  if (!(error instanceof HttpError) || error.status !== 409) return null;
  const body = (error.body ?? {}) as {
    code?: string;
    changed_count?: number;
    changed_items?: string[];
    applied_import_id?: string;
  };
  if (body.code === 'import_diff_stale') {
    const items = body.changed_items ?? [];
    const more = (body.changed_count ?? items.length) - items.length;
    const named = items.length ? `: ${items.join(', ')}${more > 0 ? ` and ${quantity(more)} more` : ''}` : '';
    const count = body.changed_count ?? items.length;
    const products = count === 1 ? '1 product of its diff was' : `${quantity(count)} products of its diff were`;
    return {
      code: body.code,
      message:
        `The catalogue changed since this dry run was reviewed: ${products} edited or created since${named}. ` +
        `Nothing was applied: run a new dry run of the file and review it again.`,
    };
  }
  if (body.code === 'import_already_applied') {
    return { code: body.code, message: 'This dry run was applied already.', appliedId: body.applied_import_id };
  }
  return { code: body.code ?? 'conflict', message: error.message };
}

/** A catalogue dry run that finished and was not applied yet can be applied as reviewed. */
const applicable = (run: Run): boolean =>
  run.kind === 'catalogue' && run.dry_run && run.status === 'succeeded' && !run.details?.applied_import_id;

/**
 * "Apply this diff": asks first, then writes exactly what the dry run showed (not the file as it
 * is now). The API refuses with 409 when a product of the diff changed since the review.
 */
const ApplyReviewedDiff = ({ run }: { run: Run }) => {
  const api = useApi();
  const notify = useNotify();
  const redirect = useRedirect();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  // One key per dry run shown: a resent request (a lost answer, a double click) applies once.
  const [key] = useState(() => crypto.randomUUID());
  const writes = (run.counts.new ?? 0) + (run.counts.changed ?? 0);

  const apply = async () => {
    setAsking(false);
    setBusy(true);
    setRefusal(null);
    try {
      const applied = await api.applyImport(run.id, key);
      notify(`Applied: ${quantity(applied.counts.new)} new, ${quantity(applied.counts.changed)} changed`, {
        type: 'success',
      });
      redirect(`/imports/${applied.id}/show`);
    } catch (e) {
      const why = refusalOf(e);
      if (why) setRefusal(why);
      else notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section id="apply" title="Apply">
      {writes === 0 ? (
        <Typography>Nothing to apply: every valid row matches the catalogue.</Typography>
      ) : (
        <>
          <Typography sx={{ mb: 1 }}>
            Writes the {quantity(run.counts.new)} new and {quantity(run.counts.changed)} changed products exactly as
            shown here; rejected rows stay out.
          </Typography>
          <Button
            variant="contained"
            onClick={() => setAsking(true)}
            disabled={busy || refusal?.code === 'import_diff_stale'}
          >
            Apply this diff
          </Button>
        </>
      )}
      {busy && (
        <Box sx={{ my: 2 }}>
          <Typography>Applying the reviewed diff…</Typography>
          <LinearProgress aria-label="Applying" />
        </Box>
      )}
      {refusal && (
        <Alert severity="warning" sx={{ mt: 2 }} data-testid="apply-refused" data-code={refusal.code}>
          {refusal.message}{' '}
          {refusal.code === 'import_diff_stale' && <Link to="/imports/create">Upload a new dry run</Link>}
          {refusal.appliedId && <Link to={`/imports/${refusal.appliedId}/show`}>Open the applied import</Link>}
        </Alert>
      )}
      <Confirm
        isOpen={asking}
        title="Apply this diff?"
        content={
          <Typography>
            {quantity(run.counts.new)} new and {quantity(run.counts.changed)} changed products are written to the
            catalogue as reviewed in this dry run. If any of them changed since, nothing is written.
          </Typography>
        }
        confirm="Apply"
        onConfirm={() => void apply()}
        onClose={() => setAsking(false)}
      />
    </Section>
  );
};

type Written = Awaited<ReturnType<CustomCalls['importProducts']>>['results'][number];

const writtenColumns: Column<Written>[] = [
  { head: 'Item', cell: (p) => <Link to={`/products/${encodeURIComponent(p.item_no)}`}>{p.item_no}</Link> },
  { head: 'Title', cell: (p) => p.title },
];

/** The products an applied import wrote, each a link to its page. */
const ImportProducts = ({ id }: { id: string }) => {
  const { data: products, error } = useApiData((api) => api.importProducts(id), [id]);

  if (error) return <Alert severity="error">{error}</Alert>;
  if (!products || products.results.length === 0) return null;
  return (
    <Section id="written" title={`Products written (${quantity(products.count)})`} scroll>
      <SimpleTable
        testId="import-products"
        columns={writtenColumns}
        rows={products.results}
        rowKey={(p) => p.item_no}
      />
      {products.count > products.results.length && (
        <Typography variant="body2">and {quantity(products.count - products.results.length)} more</Typography>
      )}
    </Section>
  );
};

/** How a run relates to its dry run or its apply, as links. */
const RunLinks = ({ run }: { run: Run }) => {
  const reviewed = run.details?.reviewed_import_id;
  const applied = run.details?.applied_import_id;
  if (typeof reviewed === 'string') {
    return (
      <Typography sx={{ mt: 1 }}>
        Applies the reviewed dry run <Link to={`/imports/${reviewed}/show`}>{reviewed}</Link>
      </Typography>
    );
  }
  if (typeof applied === 'string') {
    return (
      <Typography sx={{ mt: 1 }} data-testid="applied-by">
        Applied by import <Link to={`/imports/${applied}/show`}>{applied}</Link>
      </Typography>
    );
  }
  return null;
};

/** A run: live progress until it ends, then its counts, diff and rejected rows. */
export const ImportShow = () => {
  const { id = '' } = useParams();
  const { run, done, error } = useImportRun(id);

  if (error) return <Alert severity="error">{error}</Alert>;
  if (!run) return <LinearProgress />;
  const diff = (run.diff ?? {}) as Diff;
  return (
    <Box sx={{ mt: 2 }} data-testid="import-run" data-status={run.status}>
      <Title title={`Import ${run.file.name ?? run.id}`} />
      <Card>
        <CardContent>
          <Typography variant="h5" component="h1">
            {run.file.name ?? run.id} — {run.status}
            {run.dry_run ? ' (dry run)' : ''}
          </Typography>
          {!done && <RunProgress run={run} sx={{ my: 2 }} />}
          {run.error && <Alert severity="error">{run.error}</Alert>}
          <Typography data-testid="import-counts" sx={{ mt: 1 }}>
            {quantity(run.counts.total_rows)} rows: {quantity(run.counts.new)} new, {quantity(run.counts.changed)}{' '}
            changed, {quantity(run.counts.unchanged)} unchanged, {quantity(run.counts.invalid)} rejected
          </Typography>
          {done && <RunLinks run={run} />}
        </CardContent>
      </Card>
      {applicable(run) && <ApplyReviewedDiff run={run} />}
      {done && run.changed_items_url && <ImportProducts id={run.id} />}
      {done && (diff.changes?.length ?? 0) + (diff.new_items?.length ?? 0) > 0 && (
        <Section title="Changes" scroll>
          {diff.new_items && diff.new_items.length > 0 && <Typography>New: {diff.new_items.join(', ')}</Typography>}
          <SimpleTable
            testId="import-diff"
            columns={diffColumns}
            rows={diff.changes?.flatMap((item) => item.changes.map((c) => ({ item_no: item.item_no, ...c })))}
            rowKey={(c) => `${c.item_no}:${c.field}`}
          />
        </Section>
      )}
      {done && run.rejected_rows && run.rejected_rows.count > 0 && (
        <Section title={`Rejected rows (${quantity(run.rejected_rows.count)})`} scroll>
          <RejectedRows run={run} testId="rejected-rows" />
        </Section>
      )}
    </Box>
  );
};

export const ImportProfileList = () => (
  <List pagination={false} exporter={false}>
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <TextField source="id" sortable={false} />
      <TextField source="name" sortable={false} />
      <TextField source="wholesaler" sortable={false} />
      <TextField source="delimiter" sortable={false} />
      <TextField source="decimal_separator" sortable={false} />
      <TextField source="date_format" sortable={false} />
    </Datagrid>
  </List>
);
