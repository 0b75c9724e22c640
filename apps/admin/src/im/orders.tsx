import {
  Datagrid,
  DateField,
  FunctionField,
  NumberField,
  SimpleList,
  TextField,
  Title,
  useNotify,
  type RaRecord,
} from 'react-admin';
import { Box, Card, CardContent, Typography } from '@mui/material';
import type { CustomCalls } from '../api/data-provider';
import { dateTime, money, quantity } from '../format';
import { useApiData } from '../shared/api';
import { ResponsiveList, moneyOf, searchFilter, showPath, useShownId } from '../shared/list';
import { SimpleTable, type Column } from '../shared/simple-table';

const orderFilters = [searchFilter('Order number')];

/** Received orders, newest first (written once by receiving, never changed: read-only). */
export const OrderList = () => (
  <ResponsiveList
    filters={orderFilters}
    perPage={50}
    exporter={false}
    sort={{ field: 'received_at', order: 'DESC' }}
    small={
      <SimpleList
        primaryText={(r: RaRecord) => String(r.order_number)}
        secondaryText={(r: RaRecord) => `${quantity(r.line_count as number)} lines · ${money(r.net_amount as string)}`}
        linkType={(r) => showPath('orders', r.id)}
      />
    }
  >
    <Datagrid rowClick={(id) => showPath('orders', id)} bulkActionButtons={false}>
      <TextField source="order_number" label="Order no." sortable={false} />
      <TextField source="supplier" emptyText="–" sortable={false} />
      <TextField source="source" sortable={false} />
      <DateField source="received_at" label="Received" showTime sortable={false} />
      <NumberField source="line_count" label="Lines" sortable={false} />
      <NumberField source="quantity" label="Pieces" sortable={false} />
      <FunctionField label="Net amount" render={moneyOf('net_amount')} />
    </Datagrid>
  </ResponsiveList>
);

type Line = Awaited<ReturnType<CustomCalls['order']>>['lines'][number];

const lineColumns: Column<Line>[] = [
  { head: 'Line', cell: (l) => l.line_no },
  { head: 'Item no.', cell: (l) => l.item_no },
  { head: 'Title', cell: (l) => l.title },
  { head: 'Price', cell: (l) => money(l.price), align: 'right' },
  { head: 'Quantity', cell: (l) => `${quantity(l.quantity)} ${l.uom}`, align: 'right' },
  {
    head: 'Discount',
    cell: (l) => `${money(l.discount_amount)}${l.discount_percent ? ` (${l.discount_percent} %)` : ''}`,
    align: 'right',
  },
  { head: 'Net amount', cell: (l) => money(l.net_amount), align: 'right' },
];

/** One order and its lines, amounts for people. */
export const OrderShow = () => {
  const orderNumber = useShownId();
  const notify = useNotify();
  const { data: order } = useApiData(
    (api) => api.order(orderNumber),
    [orderNumber],
    (message) => notify(message, { type: 'error' }),
  );
  const net = order?.lines.reduce((sum, l) => sum + Number(l.net_amount), 0);
  return (
    <Box sx={{ mt: 2 }}>
      <Title title={`Order ${orderNumber}`} />
      <Card>
        <CardContent sx={{ overflowX: 'auto' }}>
          <Typography variant="h5" component="h1">
            Order {orderNumber}
          </Typography>
          {order && (
            <Typography sx={{ my: 1 }} data-testid="order-summary">
              Received {dateTime(order.received_at)} · {order.supplier ?? 'no supplier'} · via {order.source} ·{' '}
              {quantity(order.lines.length)} lines · net <strong>{money(net)}</strong>
            </Typography>
          )}
          <SimpleTable testId="order-lines" columns={lineColumns} rows={order?.lines} rowKey={(l) => l.line_no} />
        </CardContent>
      </Card>
    </Box>
  );
};
