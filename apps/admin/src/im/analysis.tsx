import { Title, useNotify } from 'react-admin';
import { Box, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { money, quantity } from '../format';
import { useApiData } from '../shared/api';

/** Upcoming pre-order payments per release month (what /analysis/ showed), amounts for people. */
export const AnalysisPage = () => {
  const notify = useNotify();
  const { data } = useApiData(
    (api) => api.upcomingPayments(),
    [],
    (message) => notify(message, { type: 'error' }),
  );
  const largest = Math.max(1, ...(data?.months.map((m) => Number(m.amount)) ?? []));
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Upcoming payments" />
      <CardContent sx={{ overflowX: 'auto' }}>
        <Typography variant="h5" component="h1">
          Upcoming pre-order payments
        </Typography>
        {data && (
          <>
            <Typography sx={{ my: 1 }}>
              Total <strong data-testid="analysis-total">{money(data.total.amount)}</strong> · without a release date{' '}
              {money(data.unscheduled.amount)}
            </Typography>
            <Table size="small" data-testid="analysis-months">
              <TableHead>
                <TableRow>
                  <TableCell>Month</TableCell>
                  <TableCell align="right">Amount</TableCell>
                  <TableCell sx={{ width: '40%' }} aria-hidden />
                  <TableCell align="right">Lines</TableCell>
                  <TableCell align="right">Pieces</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.months.map((m) => (
                  <TableRow key={m.month}>
                    <TableCell>{m.month}</TableCell>
                    <TableCell align="right">{money(m.amount)}</TableCell>
                    <TableCell aria-hidden>
                      <Box
                        sx={{ height: 12, bgcolor: 'primary.main', width: `${(Number(m.amount) / largest) * 100}%` }}
                      />
                    </TableCell>
                    <TableCell align="right">{quantity(m.lines)}</TableCell>
                    <TableCell align="right">{quantity(m.quantity)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </>
        )}
      </CardContent>
    </Card>
  );
};
