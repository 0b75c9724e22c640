import type { Key, ReactNode } from 'react';
import { Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';

export interface Column<T> {
  /** The header cell; a table none of whose columns has one shows no header row. */
  head?: ReactNode;
  cell: (row: T) => ReactNode;
  align?: 'right';
}

/** A small read-only table of `rows` (none while they load) named `testId` for the browser tests. */
export function SimpleTable<T>({
  testId,
  columns,
  rows,
  rowKey,
}: {
  testId: string;
  columns: Column<T>[];
  rows: readonly T[] | undefined;
  rowKey: (row: T) => Key;
}) {
  return (
    <Table size="small" data-testid={testId}>
      {columns.some((c) => c.head !== undefined) && (
        <TableHead>
          <TableRow>
            {columns.map((c, i) => (
              <TableCell key={i} align={c.align}>
                {c.head}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
      )}
      <TableBody>
        {rows?.map((row) => (
          <TableRow key={rowKey(row)}>
            {columns.map((c, i) => (
              <TableCell key={i} align={c.align}>
                {c.cell(row)}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
