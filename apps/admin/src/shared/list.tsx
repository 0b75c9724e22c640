import type { ReactElement, ReactNode } from 'react';
import {
  BooleanInput,
  List,
  SearchInput,
  TextInput,
  type Identifier,
  type ListProps,
  type RaRecord,
} from 'react-admin';
import { useParams } from 'react-router';
import { useMediaQuery, type Theme } from '@mui/material';
import { money } from '../format';

/** A list's search box: the `q` filter, always shown, with a hint of what it matches. */
export const searchFilter = (placeholder?: string) => (
  <SearchInput key="q" source="q" alwaysOn {...(placeholder === undefined ? {} : { placeholder })} />
);

/** A text filter, offered under "Add filter" unless `alwaysOn`. */
export const textFilter = (source: string, label: string, options: { alwaysOn?: true } = {}) => (
  <TextInput key={source} source={source} label={label} alwaysOn={options.alwaysOn} />
);

/** A yes/no filter, offered under "Add filter" unless `alwaysOn`. */
export const booleanFilter = (source: string, label: string, options: { alwaysOn?: true } = {}) => (
  <BooleanInput key={source} source={source} label={label} alwaysOn={options.alwaysOn} />
);

/**
 * A list shown as `small` (a SimpleList) on phones, where a Datagrid's columns do not fit, and as
 * `children` (the Datagrid) on wider screens; `header` stands above either.
 */
export const ResponsiveList = ({
  small,
  header,
  children,
  ...props
}: Omit<ListProps, 'children'> & { small: ReactElement; header?: ReactNode; children: ReactElement }) => {
  const phone = useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'));
  return (
    <List {...props}>
      {header}
      {phone ? small : children}
    </List>
  );
};

/** A FunctionField's render of the amount at `source` (an exact decimal string) for people. */
export const moneyOf = (source: string) => (record: RaRecord) => money(record[source] as string | null);

/** The path of a record's own page; ids such as item and order numbers may hold any character. */
export const showPath = (resource: string, id: Identifier) => `/${resource}/${encodeURIComponent(String(id))}/show`;

/** The id of the record a page at `showPath` shows. */
export const useShownId = (): string => decodeURIComponent(useParams().id ?? '');
