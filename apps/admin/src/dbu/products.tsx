import { useEffect, useState } from 'react';
import {
  BooleanField,
  BooleanInput,
  Create,
  Datagrid,
  DateField,
  DeleteButton,
  Edit,
  List,
  Pagination,
  SaveButton,
  SearchInput,
  SimpleForm,
  SimpleList,
  TextField,
  TextInput,
  Toolbar,
  required,
  useDataProvider,
  useListContext,
  useRecordContext,
  type RaRecord,
} from 'react-admin';
import {
  Box,
  Card,
  CardContent,
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
import { money } from '../format';

const productFilters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Title, item no. or EAN" />,
  <TextInput key="license" source="license" label="License" />,
  <TextInput key="category" source="category" label="Category" />,
  <TextInput key="manufacturer" source="manufacturer" label="Manufacturer" />,
  <BooleanInput key="complete" source="complete" label="GPSR complete" />,
  <BooleanInput key="include_deleted" source="include_deleted" label="Include deleted" />,
];

/** Pages by next/previous when the API only estimates the total, and says "about N" then. */
const ProductPagination = () => {
  const { meta } = useListContext() as { meta?: { estimatedTotal?: number } };
  const estimated = meta?.estimatedTotal;
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'flex-end' }}>
      {estimated !== undefined && (
        <Typography variant="body2" sx={{ px: 2 }} data-testid="estimated-total">
          about {estimated.toLocaleString()} products
        </Typography>
      )}
      <Pagination />
    </Box>
  );
};

export const ProductList = () => {
  const small = useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'));
  return (
    <List
      filters={productFilters}
      perPage={25}
      sort={{ field: 'item_no', order: 'ASC' }}
      pagination={<ProductPagination />}
    >
      {small ? (
        <SimpleList
          primaryText={(r: RaRecord) => String(r.title)}
          secondaryText={(r: RaRecord) => `${String(r.item_no)} · ${money(r.rrp as string | null)}`}
          linkType="edit"
        />
      ) : (
        <Datagrid rowClick="edit" bulkActionButtons={false}>
          <TextField source="item_no" label="Item no." />
          <TextField source="title" />
          <TextField source="license_name" label="License" sortable={false} />
          <TextField source="category_path" label="Category" sortable={false} />
          <TextField source="rrp" label="RRP (EUR)" sortable={false} />
          <BooleanField source="gpsr_complete" label="GPSR" sortable={false} />
          <BooleanField source="is_deleted" label="Deleted" sortable={false} />
          <DateField source="updated_at" showTime />
        </Datagrid>
      )}
    </List>
  );
};

/** The product's fields as the API edits them (references by name or path). */
const ProductFields = () => (
  <>
    <TextInput source="title" validate={required()} fullWidth />
    <TextInput source="ean" label="EAN" />
    <TextInput source="manufacturer_name" label="Manufacturer" />
    <TextInput source="license_name" label="License" />
    <TextInput source="category_path" label="Category (path, e.g. Figuren > Vinyl)" fullWidth />
    <TextInput source="purchase_price" label="Purchase price (EUR)" />
    <TextInput source="rrp" label="RRP (EUR)" />
    <TextInput source="discount_text" label='Discount ("5%" or "2.50")' />
    <TextInput source="release_date" label="Release date (YYYY-MM-DD)" />
    <TextInput source="weight_kg" label="Weight (kg)" />
    <TextInput source="image_url" label="Image URL" fullWidth />
    <TextInput source="description" multiline fullWidth />
    <TextInput source="safety_warnings" label="Safety warnings" multiline fullWidth />
  </>
);

const EditToolbar = () => (
  <Toolbar sx={{ justifyContent: 'space-between' }}>
    <SaveButton />
    <DeleteButton mutationMode="pessimistic" label="Delete (soft)" />
  </Toolbar>
);

type History = Awaited<ReturnType<CustomCalls['productHistory']>>;

/** Each field change with its source; with a moment chosen, the product as it was then. */
const ProductHistory = () => {
  const record = useRecordContext();
  const api = useDataProvider<CustomCalls & ReturnType<typeof useDataProvider>>();
  const [asOf, setAsOf] = useState('');
  const [history, setHistory] = useState<History | null>(null);
  const [error, setError] = useState<string | null>(null);
  const itemNo = record ? String(record.item_no) : null;
  const updatedAt = record ? String(record.updated_at) : '';
  useEffect(() => {
    if (!itemNo) return;
    let live = true;
    api
      .productHistory(itemNo, asOf ? new Date(asOf).toISOString() : undefined)
      .then((h) => live && (setHistory(h), setError(null)))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [api, itemNo, asOf, updatedAt]);
  if (!record) return null;
  return (
    <Card sx={{ mt: 2 }} component="section" aria-labelledby="history-title">
      <CardContent>
        <Typography variant="h6" id="history-title">
          History
        </Typography>
        <MuiTextField
          label="As of"
          type="datetime-local"
          value={asOf}
          onChange={(e) => setAsOf(e.target.value)}
          slotProps={{ inputLabel: { shrink: true } }}
          size="small"
          sx={{ my: 1 }}
        />
        {error && <Typography color="error">{error}</Typography>}
        {asOf && history?.state && (
          <Box data-testid="as-of-state" sx={{ mb: 2 }}>
            <Typography variant="subtitle2">The product then</Typography>
            {Object.entries(history.state).map(([k, v]) => (
              <Typography key={k} variant="body2">
                {k}: {typeof v === 'string' ? v : JSON.stringify(v)}
              </Typography>
            ))}
          </Box>
        )}
        <Box sx={{ overflowX: 'auto' }}>
          <Table size="small" data-testid="history">
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>Field</TableCell>
                <TableCell>Old</TableCell>
                <TableCell>New</TableCell>
                <TableCell>Source</TableCell>
                <TableCell>By</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {history?.results.map((h) => (
                <TableRow key={h.id}>
                  <TableCell>{new Date(h.changed_at).toLocaleString()}</TableCell>
                  <TableCell>{h.field}</TableCell>
                  <TableCell>{h.old_value ?? '–'}</TableCell>
                  <TableCell>{h.new_value ?? '–'}</TableCell>
                  <TableCell>
                    {h.source.type}
                    {h.source.ref ? ` ${h.source.ref}` : ''}
                  </TableCell>
                  <TableCell>{h.actor ?? '–'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      </CardContent>
    </Card>
  );
};

export const ProductEdit = () => (
  <Edit mutationMode="pessimistic" title="Product">
    <SimpleForm toolbar={<EditToolbar />}>
      <TextInput source="item_no" label="Item no." disabled />
      <ProductFields />
    </SimpleForm>
    <ProductHistory />
  </Edit>
);

export const ProductCreate = () => (
  <Create redirect="edit">
    <SimpleForm>
      <TextInput source="item_no" label="Item no." validate={required()} />
      <ProductFields />
    </SimpleForm>
  </Create>
);

export const CategoryList = () => (
  <List pagination={false} perPage={1000} exporter={false}>
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <TextField source="id" sortable={false} />
      <TextField source="path" sortable={false} />
      <TextField source="external_id" sortable={false} />
    </Datagrid>
  </List>
);

export const LicenseList = () => (
  <List filters={[<SearchInput key="q" source="q" alwaysOn />]} exporter={false}>
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <TextField source="id" sortable={false} />
      <TextField source="name" sortable={false} />
    </Datagrid>
  </List>
);
