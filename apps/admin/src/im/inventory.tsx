import { useMemo, useState } from 'react';
import {
  Datagrid,
  DateField,
  FunctionField,
  NumberField,
  SimpleList,
  TextField,
  Title,
  useListContext,
  useNotify,
  type RaRecord,
} from 'react-admin';
import { Box, Button, Card, CardContent, MenuItem, Stack, TextField as MuiTextField, Typography } from '@mui/material';
import type { CustomCalls } from '../api/data-provider';
import { dateTime, money, quantity } from '../format';
import { useAction, useApi, useApiData } from '../shared/api';
import { ResponsiveList, booleanFilter, moneyOf, searchFilter, showPath, textFilter, useShownId } from '../shared/list';
import { Section } from '../shared/section';
import { SimpleTable, type Column } from '../shared/simple-table';

const inventoryFilters = [
  searchFilter('Item no. or title'),
  textFilter('license', 'License'),
  textFilter('category', 'Category'),
  booleanFilter('in_stock', 'In stock'),
  booleanFilter('has_details', 'Has DBU details'),
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

export const InventoryList = () => (
  <ResponsiveList
    filters={inventoryFilters}
    perPage={50}
    sort={{ field: 'item_no', order: 'ASC' }}
    exporter={false}
    header={<Totals />}
    small={
      <SimpleList
        primaryText={(r: RaRecord) => String(r.title)}
        secondaryText={(r: RaRecord) =>
          `${String(r.item_no)} · ${quantity(r.quantity as number)} pcs · ${money(r.value as string)}`
        }
        linkType={(r) => showPath('inventory', r.id)}
      />
    }
  >
    <Datagrid rowClick={(id) => showPath('inventory', id)} bulkActionButtons={false}>
      <TextField source="item_no" label="Item no." />
      <TextField source="title" />
      <NumberField source="quantity" />
      <FunctionField label="Unit price" render={moneyOf('unit_price')} />
      <FunctionField label="Value" sortBy="value" render={moneyOf('value')} />
      <DateField source="updated_at" showTime />
    </Datagrid>
  </ResponsiveList>
);

type Movement = Awaited<ReturnType<CustomCalls['itemMovements']>>['results'][number];

const ledgerColumns: Column<Movement>[] = [
  { head: 'When', cell: (m) => dateTime(m.created_at) },
  { head: 'Type', cell: (m) => m.type },
  { head: 'Amount', cell: (m) => m.amount, align: 'right' },
  { head: 'Balance', cell: (m) => m.balance_after, align: 'right' },
  { head: 'Order', cell: (m) => m.order_id ?? '–' },
  { head: 'By', cell: (m) => m.actor },
  { head: 'Reason', cell: (m) => m.reason ?? '–' },
];

/** One item: its quantity, its ledger (every movement with who and why), and a stock change form. */
export const ItemShow = () => {
  const itemNo = useShownId();
  const api = useApi();
  const notify = useNotify();
  const [version, setVersion] = useState(0);
  const [kind, setKind] = useState<'add' | 'reduce'>('reduce');
  const [amount, setAmount] = useState('1');
  const [reason, setReason] = useState('');
  const { busy, run } = useAction();
  // One key per form: a resend of the same change is answered, not applied twice.
  const key = useMemo(() => crypto.randomUUID(), [version]);
  const { data: ledger } = useApiData(
    (a) => a.itemMovements(itemNo),
    [itemNo, version],
    (message) => notify(message, { type: 'error' }),
  );

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const result = await api.changeStock(
        kind,
        { item_no: itemNo, amount: Number(amount), reason: reason || undefined },
        key,
      );
      notify(`Stock of ${itemNo} is now ${result.quantity}`, { type: 'info' });
      setReason('');
      setVersion((v) => v + 1);
    });
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
      <Section title="Ledger" scroll>
        <SimpleTable testId="ledger" columns={ledgerColumns} rows={ledger?.results} rowKey={(m) => m.id} />
      </Section>
    </Box>
  );
};
