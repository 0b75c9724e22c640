import { Admin, CustomRoutes, Layout, Menu, Resource, type LayoutProps } from 'react-admin';
import { Route } from 'react-router';
import { dataProvider } from './api/data-provider';
import { authProvider } from './auth-provider';
import { GpsrPage } from './dbu/gpsr';
import { ImportList, ImportProfileList, ImportShow, ImportUpload } from './dbu/imports';
import { CategoryList, LicenseList, ProductCreate, ProductEdit, ProductList } from './dbu/products';
import { AnalysisPage } from './im/analysis';
import { InventoryList, ItemShow } from './im/inventory';
import { OrderList, OrderShow } from './im/orders';
import { SyncPage } from './im/sync';
import type { Service } from './service';
import { AuditList, TokenCreate, TokenList, UserCreate, UserEdit, UserList } from './shared/accounts';

const accounts = [
  <Resource key="users" name="users" list={UserList} edit={UserEdit} create={UserCreate} />,
  <Resource key="tokens" name="tokens" list={TokenList} create={TokenCreate} />,
  <Resource key="audit" name="audit" options={{ label: 'Audit log' }} list={AuditList} />,
];

/** IM's menu: its resources, the DBU sync page and the upcoming payments page (/analysis/ redirects there). */
const ImMenu = () => (
  <Menu>
    <Menu.ResourceItems />
    <Menu.Item to="/sync" primaryText="DBU sync" />
    <Menu.Item to="/analysis" primaryText="Upcoming payments" />
  </Menu>
);
const ImLayout = ({ children }: LayoutProps) => <Layout menu={ImMenu}>{children}</Layout>;

/** One admin for both services: the pages of the service that serves it, and the accounts. */
export const App = ({ service }: { service: Service }) =>
  service === 'dbu' ? (
    <Admin title="DBU admin" dataProvider={dataProvider} authProvider={authProvider} requireAuth disableTelemetry>
      <Resource
        name="products"
        list={ProductList}
        edit={ProductEdit}
        create={ProductCreate}
        recordRepresentation="title"
      />
      <Resource name="imports" list={ImportList} create={ImportUpload}>
        <Route path=":id/show" element={<ImportShow />} />
      </Resource>
      <Resource name="gpsr" options={{ label: 'GPSR' }} list={GpsrPage} />
      <Resource name="import-profiles" options={{ label: 'Import profiles' }} list={ImportProfileList} />
      <Resource name="categories" list={CategoryList} />
      <Resource name="licenses" list={LicenseList} />
      {accounts}
    </Admin>
  ) : (
    <Admin
      title="IM admin"
      dataProvider={dataProvider}
      authProvider={authProvider}
      layout={ImLayout}
      requireAuth
      disableTelemetry
    >
      <Resource name="inventory" options={{ label: 'Inventory' }} list={InventoryList}>
        <Route path=":id/show" element={<ItemShow />} />
      </Resource>
      <Resource name="orders" options={{ label: 'Orders' }} list={OrderList}>
        <Route path=":id/show" element={<OrderShow />} />
      </Resource>
      <CustomRoutes>
        <Route path="/sync" element={<SyncPage />} />
        <Route path="/analysis" element={<AnalysisPage />} />
      </CustomRoutes>
      {accounts}
    </Admin>
  );
