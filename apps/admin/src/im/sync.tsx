import { useCallback, useEffect, useState } from 'react';
import { Link as RouterLink } from 'react-router';
import { Title, useDataProvider, useNotify } from 'react-admin';
import {
  Box,
  Button,
  Card,
  CardContent,
  Link,
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

type Status = Awaited<ReturnType<CustomCalls['syncStatus']>>;

const when = (at: string | null | undefined) => (at ? new Date(at).toLocaleString() : 'never');

/**
 * How far IM's copy of the DBU details is: items still missing them, the reconciler's last full
 * read of DBU's changes feed, the last sync request and whether im-worker has done it, and
 * "Sync now" (the same request as `POST /api/signal/`).
 */
export const SyncPage = () => {
  const api = useDataProvider<CustomCalls & ReturnType<typeof useDataProvider>>();
  const notify = useNotify();
  const [status, setStatus] = useState<Status | null>(null);
  const [busy, setBusy] = useState(false);
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

  const syncNow = async () => {
    setBusy(true);
    try {
      // One key per click: a retried request (a lost answer) queues one sync, not two.
      const queued = await api.requestSync(crypto.randomUUID());
      notify(`Sync queued (${queued.event_id})`, { type: 'info' });
      await load();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

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
      <Card sx={{ mt: 2 }}>
        <CardContent sx={{ overflowX: 'auto' }}>
          <Typography variant="h6" component="h2">
            Items missing DBU details
          </Typography>
          <Table size="small" data-testid="sync-missing-items">
            <TableHead>
              <TableRow>
                <TableCell>Item no.</TableCell>
                <TableCell>Title</TableCell>
                <TableCell align="right">Quantity</TableCell>
                <TableCell>Since</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {status?.missing.map((m) => (
                <TableRow key={m.item_no}>
                  <TableCell>
                    <Link component={RouterLink} to={`/inventory/${encodeURIComponent(m.item_no)}/show`}>
                      {m.item_no}
                    </Link>
                  </TableCell>
                  <TableCell>{m.title}</TableCell>
                  <TableCell align="right">{quantity(m.quantity)}</TableCell>
                  <TableCell>{when(m.created_at)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {status && status.missing.length < status.items.missing_details && (
            <Typography sx={{ mt: 1 }} variant="body2">
              The first {quantity(status.missing.length)} by item number.
            </Typography>
          )}
        </CardContent>
      </Card>
    </Box>
  );
};
