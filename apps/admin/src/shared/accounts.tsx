import { useState } from 'react';
import {
  BooleanField,
  BooleanInput,
  Button,
  Create,
  Datagrid,
  DateField,
  Edit,
  FunctionField,
  List,
  PasswordInput,
  SaveButton,
  SimpleForm,
  TextField,
  TextInput,
  Toolbar,
  required,
  useDelete,
  useNotify,
  useRecordContext,
  useRedirect,
  useRefresh,
  type RaRecord,
} from 'react-admin';
import { Alert, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from '@mui/material';
import { booleanFilter, textFilter } from './list';

export const UserList = () => (
  <List sort={{ field: 'id', order: 'ASC' }} perPage={50}>
    <Datagrid rowClick="edit" bulkActionButtons={false}>
      <TextField source="id" sortable={false} />
      <TextField source="username" sortable={false} />
      <BooleanField source="is_admin" label="Staff (admin)" sortable={false} />
      <BooleanField source="is_active" label="Active" sortable={false} />
      <DateField source="last_login_at" showTime sortable={false} />
    </Datagrid>
  </List>
);

export const UserEdit = () => (
  <Edit mutationMode="pessimistic">
    <SimpleForm>
      <TextInput source="username" disabled />
      <BooleanInput source="is_admin" label="Staff (admin): every scope" />
      <BooleanInput source="is_active" label="Active (off: sessions end, tokens stop working)" />
      <PasswordInput source="password" label="New password (at least 12 characters)" autoComplete="new-password" />
    </SimpleForm>
  </Edit>
);

export const UserCreate = () => (
  <Create redirect="list">
    <SimpleForm>
      <TextInput source="username" validate={required()} />
      <PasswordInput source="password" validate={required()} autoComplete="new-password" />
      <BooleanInput source="is_admin" label="Staff (admin)" />
    </SimpleForm>
  </Create>
);

const RevokeButton = () => {
  const record = useRecordContext();
  const [remove, { isPending }] = useDelete();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record || record.revoked_at) return null;
  return (
    <Button
      label="Revoke"
      color="error"
      disabled={isPending}
      onClick={(event) => {
        event.stopPropagation();
        void remove(
          'tokens',
          { id: record.id, previousData: record },
          {
            mutationMode: 'pessimistic',
            onSuccess: () => {
              notify(`Token ${String(record.prefix)}… revoked`, { type: 'info' });
              refresh();
            },
          },
        );
      }}
    />
  );
};

const tokenFilters = [
  textFilter('user', 'User', { alwaysOn: true }),
  booleanFilter('include_revoked', 'Include revoked', { alwaysOn: true }),
];

export const TokenList = () => (
  <List filters={tokenFilters} perPage={50} sort={{ field: 'id', order: 'DESC' }}>
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <TextField source="prefix" sortable={false} />
      <TextField source="username" label="User" sortable={false} />
      <TextField source="name" sortable={false} />
      <TextField source="kind" sortable={false} />
      <FunctionField
        label="Scopes"
        render={(r: RaRecord) => (Array.isArray(r.scopes) ? (r.scopes as string[]).join(', ') : "account's")}
      />
      <DateField source="expires_at" showTime sortable={false} />
      <DateField source="last_used_at" showTime sortable={false} />
      <DateField source="revoked_at" showTime sortable={false} />
      <RevokeButton />
    </Datagrid>
  </List>
);

/** The secret of a new token is in the create answer only: shown here once, never again. */
export const TokenCreate = () => {
  const [secret, setSecret] = useState<string | null>(null);
  const redirect = useRedirect();
  return (
    <>
      <Create redirect={false} mutationOptions={{ onSuccess: (data: RaRecord) => setSecret(String(data.secret)) }}>
        <SimpleForm
          toolbar={
            <Toolbar>
              <SaveButton label="Create token" />
            </Toolbar>
          }
        >
          <TextInput source="user" label="Owner (username)" validate={required()} />
          <TextInput source="name" label="What it is for" validate={required()} />
          <TextInput source="scopes" label="Scopes (comma separated)" validate={required()} />
          <TextInput source="expires_in" label="Expires in (e.g. 90d; empty: never)" />
        </SimpleForm>
      </Create>
      <Dialog open={secret !== null} aria-labelledby="token-secret-title">
        <DialogTitle id="token-secret-title">New token</DialogTitle>
        <DialogContent>
          <Alert severity="warning">Copy it now: it is shown this once only.</Alert>
          <Typography
            component="code"
            data-testid="token-secret"
            sx={{ wordBreak: 'break-all', display: 'block', mt: 2 }}
          >
            {secret}
          </Typography>
        </DialogContent>
        <DialogActions>
          <Button label="Done" onClick={() => redirect('list', 'tokens')} />
        </DialogActions>
      </Dialog>
    </>
  );
};

const auditFilters = [
  textFilter('actor', 'Actor', { alwaysOn: true }),
  textFilter('action', 'Action', { alwaysOn: true }),
  textFilter('resource', 'Resource'),
];

export const AuditList = () => (
  <List filters={auditFilters} perPage={50} sort={{ field: 'at', order: 'DESC' }}>
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <DateField source="at" showTime sortable={false} />
      <TextField source="actor" sortable={false} />
      <TextField source="action" sortable={false} />
      <TextField source="resource" sortable={false} />
      <TextField source="resource_id" sortable={false} />
      <TextField source="outcome" sortable={false} />
      <TextField source="client_ip" sortable={false} />
    </Datagrid>
  </List>
);
