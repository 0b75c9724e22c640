import { useCallback, useEffect, useState } from 'react';
import { Link as RouterLink } from 'react-router';
import { Title, useNotify } from 'react-admin';
import { Box, Button, Card, CardContent, Link, Stack, Typography } from '@mui/material';
import type { CustomCalls } from '../api/data-provider';
import { dateTime, quantity } from '../format';
import { useAction, useApi } from '../shared/api';
import { showPath } from '../shared/list';
import { Section } from '../shared/section';
import { SimpleTable, type Column } from '../shared/simple-table';

type Status = Awaited<ReturnType<CustomCalls['syncStatus']>>;

const when = (at: string | null | undefined) => (at ? dateTime(at) : 'never');

const missingColumns: Column<Status['missing'][number]>[] = [
  {
    head: 'Item no.',
    cell: (m) => (
      <Link component={RouterLink} to={showPath('inventory', m.item_no)}>
        {m.item_no}
      </Link>
    ),
  },
  { head: 'Title', cell: (m) => m.title },
  { head: 'Quantity', cell: (m) => quantity(m.quantity), align: 'right' },
  { head: 'Since', cell: (m) => when(m.created_at) },
];

/**
 * How far IM's copy of the DBU details is: items still missing them, the reconciler's last full
 * read of DBU's changes feed, the last sync request and whether im-worker has done it, and
 * "Sync now" (the same request as `POST /api/signal/`).
 */
export const SyncPage = () => {
  const api = useApi();
  const notify = useNotify();
  const [status, setStatus] = useState<Status | null>(null);
  const { busy, run } = useAction();
  const load = useCallback(
    () =>
      api
        .syncStatus()
        .then(setStatus)
        .catch((e: Error) => notify(e.message, { type: 'error' })),
    [api, notify],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const syncNow = () =>
    run(async () => {
      // One key per click: a retried request (a lost answer) queues one sync, not two.
      const queued = await api.requestSync(crypto.randomUUID());
      notify(`Sync queued (${queued.event_id})`, { type: 'info' });
      await load();
    });

  const signal = status?.last_signal;
  return (
    <Box sx={{ mt: 2 }}>
      <Title title="DBU sync" />
      <Card>
        <CardContent>
          <Typography variant="h5" component="h1">
            DBU details sync
          </Typography>
          {status && (
            <Stack spacing={0.5} sx={{ my: 1 }}>
              <Typography data-testid="sync-missing">
                Items missing DBU details: <strong>{quantity(status.items.missing_details)}</strong> of{' '}
                {quantity(status.items.total)}
              </Typography>
              <Typography>Details last written: {when(status.last_details_synced_at)}</Typography>
              <Typography data-testid="sync-reconciler">
                Changes feed last read to its end: {when(status.reconciler.caught_up_at)}
                {status.reconciler.following_feed ? '' : ' (the reconciler has not run yet)'}
              </Typography>
              <Typography data-testid="sync-last-signal">
                Last sync request:{' '}
                {signal
                  ? `${when(signal.requested_at)} by ${signal.requested_by ?? '–'} (${signal.scope}) · ${
                      signal.handled_at ? `done ${when(signal.handled_at)}` : 'waiting for im-worker'
                    }`
                  : 'none'}
              </Typography>
            </Stack>
          )}
          <Button variant="contained" onClick={() => void syncNow()} disabled={busy}>
            Sync now
          </Button>
        </CardContent>
      </Card>
      <Section title="Items missing DBU details" scroll>
        <SimpleTable
          testId="sync-missing-items"
          columns={missingColumns}
          rows={status?.missing}
          rowKey={(m) => m.item_no}
        />
        {status && status.missing.length < status.items.missing_details && (
          <Typography sx={{ mt: 1 }} variant="body2">
            The first {quantity(status.missing.length)} by item number.
          </Typography>
        )}
      </Section>
    </Box>
  );
};
