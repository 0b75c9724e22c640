import { useEffect, useState } from 'react';
import {
  Datagrid,
  DateField,
  FunctionField,
  List,
  NumberField,
  SearchInput,
  SimpleList,
  TextField,
  Title,
  useDataProvider,
  useNotify,
  type RaRecord,
} from 'react-admin';
import { useParams } from 'react-router';
import {
  Box,
  Card,
  CardContent,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
  useMediaQuery,
  type Theme,
} from '@mui/material';
import type { CustomCalls } from '../api/data-provider';
import { money, quantity } from '../format';

const orderFilters = [<SearchInput key="q" source="q" alwaysOn placeholder="Order number" />];
const showPath = (id: unknown) => `/orders/${encodeURIComponent(String(id))}/show`;

/** Received orders, newest first (written once by receiving, never changed: read-only). */
export const OrderList = () => {
  const small = useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'));
  return (
    <List filters={orderFilters} perPage={50} exporter={false} sort={{ field: 'received_at', order: 'DESC' }}>
      {small ? (
        <SimpleList
          primaryText={(r: RaRecord) => String(r.order_number)}
          secondaryText={(r: RaRecord) =>
            `${quantity(r.line_count as number)} lines · ${money(r.net_amount as string)}`
          }
          linkType={(r) => showPath(r.id)}
        />
      ) : (
        <Datagrid rowClick={(id) => showPath(id)} bulkActionButtons={false}>
          <TextField source="order_number" label="Order no." sortable={false} />
          <TextField source="supplier" emptyText="–" sortable={false} />
          <TextField source="source" sortable={false} />
          <DateField source="received_at" label="Received" showTime sortable={false} />
          <NumberField source="line_count" label="Lines" sortable={false} />
          <NumberField source="quantity" label="Pieces" sortable={false} />
          <FunctionField label="Net amount" render={(r: RaRecord) => money(r.net_amount as string)} />
        </Datagrid>
      )}
    </List>
  );
};

type Order = Awaited<ReturnType<CustomCalls['order']>>;

/** One order and its lines, amounts for people. */
export const OrderShow = () => {
  const { id = '' } = useParams();
  const orderNumber = decodeURIComponent(id);
  const api = useDataProvider<CustomCalls & ReturnType<typeof useDataProvider>>();
  const notify = useNotify();
  const [order, setOrder] = useState<Order | null>(null);
  useEffect(() => {
    let live = true;
    api
      .order(orderNumber)
      .then((o) => live && setOrder(o))
      .catch((e: Error) => notify(e.message, { type: 'error' }));
    return () => {
      live = false;
    };
  }, [api, orderNumber, notify]);
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
              Received {new Date(order.received_at).toLocaleString()} · {order.supplier ?? 'no supplier'} · via{' '}
              {order.source} · {quantity(order.lines.length)} lines · net <strong>{money(net)}</strong>
            </Typography>
          )}
          <Table size="small" data-testid="order-lines">
            <TableHead>
              <TableRow>
                <TableCell>Line</TableCell>
                <TableCell>Item no.</TableCell>
                <TableCell>Title</TableCell>
                <TableCell align="right">Price</TableCell>
                <TableCell align="right">Quantity</TableCell>
                <TableCell align="right">Discount</TableCell>
                <TableCell align="right">Net amount</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {order?.lines.map((l) => (
                <TableRow key={l.line_no}>
                  <TableCell>{l.line_no}</TableCell>
                  <TableCell>{l.item_no}</TableCell>
                  <TableCell>{l.title}</TableCell>
                  <TableCell align="right">{money(l.price)}</TableCell>
                  <TableCell align="right">
                    {quantity(l.quantity)} {l.uom}
                  </TableCell>
                  <TableCell align="right">
                    {money(l.discount_amount)}
                    {l.discount_percent ? ` (${l.discount_percent} %)` : ''}
                  </TableCell>
                  <TableCell align="right">{money(l.net_amount)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
    </Box>
  );
};
