import { useState } from 'react';
import {
  BooleanField,
  Create,
  Datagrid,
  DateField,
  DeleteButton,
  Edit,
  List,
  Pagination,
  SaveButton,
  SimpleForm,
  SimpleList,
  TextField,
  TextInput,
  Toolbar,
  required,
  useListContext,
  useRecordContext,
  type RaRecord,
} from 'react-admin';
import { Box, Card, CardContent, TextField as MuiTextField, Typography } from '@mui/material';
import type { CustomCalls } from '../api/data-provider';
import { dateTime, money } from '../format';
import { useApiData } from '../shared/api';
import { ResponsiveList, booleanFilter, searchFilter, textFilter } from '../shared/list';
import { SimpleTable, type Column } from '../shared/simple-table';

const productFilters = [
  searchFilter('Title, item no. or EAN'),
  textFilter('license', 'License'),
  textFilter('category', 'Category'),
  textFilter('manufacturer', 'Manufacturer'),
  booleanFilter('complete', 'GPSR complete'),
  booleanFilter('include_deleted', 'Include deleted'),
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

export const ProductList = () => (
  <ResponsiveList
    filters={productFilters}
    perPage={25}
    sort={{ field: 'item_no', order: 'ASC' }}
    pagination={<ProductPagination />}
    small={
      <SimpleList
        primaryText={(r: RaRecord) => String(r.title)}
        secondaryText={(r: RaRecord) => `${String(r.item_no)} · ${money(r.rrp as string | null)}`}
        linkType="edit"
      />
    }
  >
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
  </ResponsiveList>
);

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

type Change = Awaited<ReturnType<CustomCalls['productHistory']>>['results'][number];

const historyColumns: Column<Change>[] = [
  { head: 'When', cell: (h) => dateTime(h.changed_at) },
  { head: 'Field', cell: (h) => h.field },
  { head: 'Old', cell: (h) => h.old_value ?? '–' },
  { head: 'New', cell: (h) => h.new_value ?? '–' },
  { head: 'Source', cell: (h) => `${h.source.type}${h.source.ref ? ` ${h.source.ref}` : ''}` },
  { head: 'By', cell: (h) => h.actor ?? '–' },
];

/** Each field change with its source; with a moment chosen, the product as it was then. */
const ProductHistory = () => {
  const record = useRecordContext();
  const [asOf, setAsOf] = useState('');
  const itemNo = record ? String(record.item_no) : null;
  const updatedAt = record ? String(record.updated_at) : '';
  const { data: history, error } = useApiData(
    (api) => (itemNo ? api.productHistory(itemNo, asOf ? new Date(asOf).toISOString() : undefined) : undefined),
    [itemNo, asOf, updatedAt],
  );
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
          <SimpleTable testId="history" columns={historyColumns} rows={history?.results} rowKey={(h) => h.id} />
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
  <List filters={[searchFilter()]} exporter={false}>
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <TextField source="id" sortable={false} />
      <TextField source="name" sortable={false} />
    </Datagrid>
  </List>
);
