import { useEffect, useMemo, useState } from 'react';
import {
  BooleanInput,
  Datagrid,
  DateField,
  FunctionField,
  List,
  NumberField,
  SearchInput,
  SimpleList,
  TextField,
  TextInput,
  Title,
  useDataProvider,
  useListContext,
  useNotify,
  type RaRecord,
} from 'react-admin';
import { useParams } from 'react-router';
import {
  Box,
  Button,
  Card,
  CardContent,
  MenuItem,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField as MuiTextField,
  Typography,
  useMediaQuery,
  type Theme,
} from '@mui/material';
import type { CustomCalls } from '../api/data-provider';
import { money, quantity } from '../format';

const inventoryFilters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Item no. or title" />,
  <TextInput key="license" source="license" label="License" />,
  <TextInput key="category" source="category" label="Category" />,
  <BooleanInput key="in_stock" source="in_stock" label="In stock" />,
  <BooleanInput key="has_details" source="has_details" label="Has DBU details" />,
];

/** Σ over every matching item (the API's totals), not only this page. */
const Totals = () => {
  const { meta } = useListContext() as { meta?: { total_value?: string; total_quantity?: number } };
  if (!meta) return null;
  return (
    <Typography sx={{ p: 2 }} data-testid="inventory-totals">
      Total value <strong>{money(meta.total_value)}</strong> · {quantity(meta.total_quantity)} pieces
    </Typography>
  );
};

export const InventoryList = () => {
  const small = useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'));
  return (
    <List filters={inventoryFilters} perPage={50} sort={{ field: 'item_no', order: 'ASC' }} exporter={false}>
      <Totals />
      {small ? (
        <SimpleList
          primaryText={(r: RaRecord) => String(r.title)}
          secondaryText={(r: RaRecord) =>
            `${String(r.item_no)} · ${quantity(r.quantity as number)} pcs · ${money(r.value as string)}`
          }
          linkType={(r) => `/inventory/${encodeURIComponent(String(r.id))}/show`}
        />
      ) : (
        <Datagrid rowClick={(id) => `/inventory/${encodeURIComponent(String(id))}/show`} bulkActionButtons={false}>
          <TextField source="item_no" label="Item no." />
          <TextField source="title" />
          <NumberField source="quantity" />
          <FunctionField label="Unit price" render={(r: RaRecord) => money(r.unit_price as string | null)} />
          <FunctionField label="Value" sortBy="value" render={(r: RaRecord) => money(r.value as string)} />
          <DateField source="updated_at" showTime />
        </Datagrid>
      )}
    </List>
  );
};

type Ledger = Awaited<ReturnType<CustomCalls['itemMovements']>>;

/** One item: its quantity, its ledger (every movement with who and why), and a stock change form. */
export const ItemShow = () => {
  const { id = '' } = useParams();
  const itemNo = decodeURIComponent(id);
  const api = useDataProvider<CustomCalls & ReturnType<typeof useDataProvider>>();
  const notify = useNotify();
  const [ledger, setLedger] = useState<Ledger | null>(null);
  const [version, setVersion] = useState(0);
  const [kind, setKind] = useState<'add' | 'reduce'>('reduce');
  const [amount, setAmount] = useState('1');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  // One key per form: a resend of the same change is answered, not applied twice.
  const key = useMemo(() => crypto.randomUUID(), [version]);

  useEffect(() => {
    let live = true;
    api
      .itemMovements(itemNo)
      .then((l) => live && setLedger(l))
      .catch((e: Error) => notify(e.message, { type: 'error' }));
    return () => {
      live = false;
    };
  }, [api, itemNo, version, notify]);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const result = await api.changeStock(
        kind,
        { item_no: itemNo, amount: Number(amount), reason: reason || undefined },
        key,
      );
      notify(`Stock of ${itemNo} is now ${result.quantity}`, { type: 'info' });
      setReason('');
      setVersion((v) => v + 1);
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box sx={{ mt: 2 }}>
      <Title title={`Item ${itemNo}`} />
      <Card>
        <CardContent>
          <Typography variant="h5" component="h1">
            {itemNo}
          </Typography>
          <Typography data-testid="item-quantity">
            Quantity: <strong>{ledger ? quantity(ledger.quantity) : '…'}</strong>
            {ledger?.is_deleted ? ' (deleted)' : ''}
          </Typography>
          <Box component="form" onSubmit={(e) => void submit(e)} sx={{ mt: 2 }} aria-label="Change stock">
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              <MuiTextField
                select
                label="Change"
                value={kind}
                onChange={(e) => setKind(e.target.value as 'add' | 'reduce')}
                size="small"
                id="stock-kind"
              >
                <MenuItem value="reduce">Reduce</MenuItem>
                <MenuItem value="add">Add</MenuItem>
              </MuiTextField>
              <MuiTextField
                label="Amount"
                type="number"
                value={amount}
                onChange={(e) => setAmount(e.target.value)}
                size="small"
                id="stock-amount"
                slotProps={{ htmlInput: { min: 1 } }}
                required
              />
              <MuiTextField
                label="Reason"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                size="small"
                id="stock-reason"
              />
              <Button type="submit" variant="contained" disabled={busy}>
                Apply
              </Button>
            </Stack>
          </Box>
        </CardContent>
      </Card>
      <Card sx={{ mt: 2 }}>
        <CardContent sx={{ overflowX: 'auto' }}>
          <Typography variant="h6" component="h2">
            Ledger
          </Typography>
          <Table size="small" data-testid="ledger">
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>Type</TableCell>
                <TableCell align="right">Amount</TableCell>
                <TableCell align="right">Balance</TableCell>
                <TableCell>Order</TableCell>
                <TableCell>By</TableCell>
                <TableCell>Reason</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {ledger?.results.map((m) => (
                <TableRow key={m.id}>
                  <TableCell>{new Date(m.created_at).toLocaleString()}</TableCell>
                  <TableCell>{m.type}</TableCell>
                  <TableCell align="right">{m.amount}</TableCell>
                  <TableCell align="right">{m.balance_after}</TableCell>
                  <TableCell>{m.order_id ?? '–'}</TableCell>
                  <TableCell>{m.actor}</TableCell>
                  <TableCell>{m.reason ?? '–'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
    </Box>
  );
};
