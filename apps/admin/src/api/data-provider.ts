import type { DataProvider, GetListParams, Identifier, RaRecord } from 'react-admin';
import { currentService } from '../service';
import { answer, dbuApi, imApi } from './client';
import type { paths as DbuPaths } from './generated/dbu';
import type { paths as ImPaths } from './generated/im';

/**
 * The one data provider of the admin: react-admin's calls mapped onto the public API of the
 * service the page belongs to. Every call is typed by the service's OpenAPI document.
 */

type AccountPaths =
  '/api/admin/users' | '/api/admin/users/{id}' | '/api/admin/tokens' | '/api/admin/tokens/{id}' | '/api/admin/audit';
// The account routes come from one library in both services: the same calls serve both (checked here).
const sameAccountsInIm: Pick<ImPaths, AccountPaths> = {} as Pick<DbuPaths, AccountPaths>;
const sameAccountsInDbu: Pick<DbuPaths, AccountPaths> = sameAccountsInIm;
void sameAccountsInDbu;
const accountsApi = (currentService() === 'im' ? imApi : dbuApi) as typeof dbuApi;

interface ListResult {
  data: RaRecord[];
  total?: number;
  pageInfo?: { hasNextPage: boolean; hasPreviousPage: boolean };
}

interface Resource {
  getList(params: GetListParams): Promise<ListResult>;
  getOne?(id: Identifier): Promise<RaRecord>;
  update?(id: Identifier, data: Record<string, unknown>, previous: Record<string, unknown>): Promise<RaRecord>;
  create?(data: Record<string, unknown>): Promise<RaRecord>;
  delete?(id: Identifier): Promise<void>;
}

const page = (params: GetListParams) => ({
  page: params.pagination?.page ?? 1,
  page_size: params.pagination?.perPage ?? 25,
});
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
const flag = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);
/** A boolean filter as the query text some routes declare (`true` / `false`). */
const flagText = (value: unknown): 'true' | 'false' | undefined =>
  typeof value === 'boolean' ? (value ? 'true' : 'false') : undefined;

/** Only the fields the form changed, so a PATCH never rewrites what the person did not touch. */
function changed(data: Record<string, unknown>, previous: Record<string, unknown>, fields: readonly string[]) {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (!(field in data)) continue;
    const value = data[field] === '' ? null : data[field];
    if (JSON.stringify(value) !== JSON.stringify(previous[field] ?? null)) out[field] = value;
  }
  return out;
}

/**
 * Cursor-paged lists (`next` carries `cursor`): react-admin asks for page n; the cursor of page n
 * is the one the answer for page n-1 handed out. A page whose cursor is unknown starts over.
 */
const cursors = new Map<string, Map<number, string>>();
async function cursorList<T extends RaRecord>(
  key: string,
  params: GetListParams,
  fetchPage: (
    cursor: string | undefined,
    limit: number,
  ) => Promise<{ count: number | null; next: string | null; results: T[] }>,
): Promise<ListResult> {
  const { page: wanted, page_size: limit } = page(params);
  const scope = `${key}:${JSON.stringify(params.filter ?? {})}:${limit}`;
  const known = cursors.get(scope) ?? new Map<number, string>();
  cursors.set(scope, known);
  const current = wanted > 1 && known.has(wanted) ? wanted : 1;
  const body = await fetchPage(current === 1 ? undefined : known.get(current), limit);
  const next = body.next ? new URL(body.next, window.location.origin).searchParams.get('cursor') : null;
  if (next) known.set(current + 1, next);
  return {
    data: body.results,
    ...(body.count !== null ? { total: body.count } : {}),
    pageInfo: { hasNextPage: next !== null, hasPreviousPage: current > 1 },
  };
}

const PRODUCT_FIELDS = [
  'ean',
  'title',
  'description',
  'manufacturer',
  'license',
  'category',
  'purchase_price',
  'rrp',
  'release_date',
  'weight_kg',
  'image_url',
  'safety_warnings',
  'discount',
] as const;

const PRODUCT_SORTS = ['item_no', 'title', 'updated_at'] as const;

/** react-admin's sort as the product list's `ordering` (item_no unless a sortable column). */
function productOrdering(sort: GetListParams['sort']): `${'' | '-'}${(typeof PRODUCT_SORTS)[number]}` {
  const field = PRODUCT_SORTS.find((f) => f === sort?.field) ?? 'item_no';
  return sort?.order === 'DESC' ? `-${field}` : field;
}

/** A product as the forms edit it: references as their names, the id is the item number. */
function productRecord(p: Record<string, unknown>): RaRecord {
  const ref = (v: unknown) => (v && typeof v === 'object' && 'name' in v ? (v as { name: string }).name : (v ?? null));
  const category = p.category as { path?: string } | null;
  const discount = p.discount as { text?: string; value?: string; kind?: string } | null;
  return {
    ...p,
    id: p.item_no as string,
    license_name: ref(p.license),
    manufacturer_name: ref(p.manufacturer),
    category_path: category?.path ?? null,
    discount_text: discount ? (discount.text ?? null) : null,
  };
}

const dbuResources: Record<string, Resource> = {
  products: {
    /**
     * Keyset pages (`cursor`), so a deep page of a million products costs what the first does.
     * An estimated count is no total to number pages by: the list then pages by next/previous and
     * shows "about N" (meta.estimatedTotal).
     */
    async getList(params) {
      const f = params.filter as Record<string, unknown>;
      const ordering = productOrdering(params.sort);
      let estimatedTotal: number | undefined;
      const result = await cursorList(`products:${ordering}`, params, async (cursor, limit) => {
        const body = answer(
          await dbuApi.GET('/api/products', {
            params: {
              query: {
                cursor: cursor ?? '',
                page_size: limit,
                ordering,
                search: text(f.q),
                license: text(f.license),
                category: text(f.category),
                manufacturer: text(f.manufacturer),
                include_deleted: flagText(f.include_deleted),
                complete: flagText(f.complete),
              },
            },
          }),
        );
        estimatedTotal = body.count_is_estimate ? body.count : undefined;
        return {
          count: estimatedTotal === undefined ? body.count : null,
          next: body.next,
          results: body.results.map(productRecord),
        };
      });
      return estimatedTotal === undefined ? result : ({ ...result, meta: { estimatedTotal } } as ListResult);
    },
    async getOne(id) {
      const body = answer(await dbuApi.GET('/api/products/{item_no}', { params: { path: { item_no: String(id) } } }));
      return productRecord(body);
    },
    async update(id, data, previous) {
      const form = {
        ...data,
        license: data.license_name,
        manufacturer: data.manufacturer_name,
        category: data.category_path,
        discount: data.discount_text,
      };
      const was = {
        ...previous,
        license: previous.license_name,
        manufacturer: previous.manufacturer_name,
        category: previous.category_path,
        discount: previous.discount_text,
      };
      const body = answer(
        await dbuApi.PATCH('/api/products/{item_no}', {
          params: { path: { item_no: String(id) } },
          body: changed(form, was, PRODUCT_FIELDS),
        }),
      );
      return productRecord(body);
    },
    async create(data) {
      const body: Record<string, unknown> = { item_no: data.item_no };
      const form = {
        ...data,
        license: data.license_name,
        manufacturer: data.manufacturer_name,
        category: data.category_path,
        discount: data.discount_text,
      };
      Object.assign(body, changed(form, {}, PRODUCT_FIELDS));
      const created = answer(
        await dbuApi.POST('/api/products', {
          body: body as DbuPaths['/api/products']['post']['requestBody']['content']['application/json'],
        }),
      );
      return productRecord(created);
    },
    async delete(id) {
      answer(await dbuApi.DELETE('/api/products/{item_no}', { params: { path: { item_no: String(id) } } }));
    },
  },
  categories: {
    async getList() {
      const body = answer(await dbuApi.GET('/api/categories', { params: { query: { flat: 'true' } } }));
      const rows = body.results as unknown as RaRecord[];
      return { data: rows, total: rows.length };
    },
  },
  licenses: {
    async getList(params) {
      const f = params.filter as Record<string, unknown>;
      const body = answer(
        await dbuApi.GET('/api/licenses', { params: { query: { ...page(params), search: text(f.q) } } }),
      );
      return { data: body.results, total: body.count };
    },
  },
  imports: {
    async getList(params) {
      const f = params.filter as Record<string, unknown>;
      const status = text(f.status) as DbuPaths['/api/imports']['get']['parameters']['query'] extends infer Q
        ? Q extends { status?: infer S }
          ? S
          : never
        : never;
      const body = answer(await dbuApi.GET('/api/imports', { params: { query: { ...page(params), status } } }));
      return { data: body.results, total: body.count };
    },
    async getOne(id) {
      return answer(await dbuApi.GET('/api/imports/{id}', { params: { path: { id: String(id) } } }));
    },
  },
  'import-profiles': {
    async getList() {
      const body = answer(await dbuApi.GET('/api/import-profiles'));
      return { data: body.results, total: body.count };
    },
    async getOne(id) {
      return answer(await dbuApi.GET('/api/import-profiles/{id}', { params: { path: { id: String(id) } } }));
    },
  },
};

const imResources: Record<string, Resource> = {
  inventory: {
    async getList(params) {
      const f = params.filter as Record<string, unknown>;
      const sort = params.sort;
      const ordering =
        sort && ['item_no', 'title', 'quantity', 'value', 'updated_at'].includes(sort.field)
          ? `${sort.order === 'DESC' ? '-' : ''}${sort.field}`
          : undefined;
      const body = answer(
        await imApi.GET('/api/inventory', {
          params: {
            query: {
              ...page(params),
              search: text(f.q),
              license: text(f.license),
              category: text(f.category),
              in_stock: flagText(f.in_stock),
              has_details: flagText(f.has_details),
              ordering: ordering as never,
            },
          },
        }),
      );
      return {
        data: body.results.map((item) => ({ ...item, id: item.item_no })),
        total: body.count,
        meta: { total_value: body.total_value, total_quantity: body.total_quantity },
      } as ListResult;
    },
  },
  orders: {
    async getList(params) {
      const f = params.filter as Record<string, unknown>;
      const body = answer(
        await imApi.GET('/api/orders', { params: { query: { ...page(params), search: text(f.q) } } }),
      );
      // The order number is what people know and what the show route takes.
      return { data: body.results.map((order) => ({ ...order, id: order.order_number })), total: body.count };
    },
    async getOne(id) {
      const order = answer(
        await imApi.GET('/api/orders/{order_number}', { params: { path: { order_number: String(id) } } }),
      );
      return { ...order, id: order.order_number };
    },
  },
};

const accountResources: Record<string, Resource> = {
  users: {
    getList: (params) =>
      cursorList('users', params, async (cursor, limit) =>
        answer(await accountsApi.GET('/api/admin/users', { params: { query: { cursor, limit } } })),
      ),
    async getOne(id) {
      return answer(await accountsApi.GET('/api/admin/users/{id}', { params: { path: { id: Number(id) } } }));
    },
    async update(id, data, previous) {
      return answer(
        await accountsApi.PATCH('/api/admin/users/{id}', {
          params: { path: { id: Number(id) } },
          body: changed(data, previous, ['password', 'is_admin', 'is_active']),
        }),
      );
    },
    async create(data) {
      const body = answer(
        await accountsApi.POST('/api/admin/users', {
          body: { username: String(data.username), password: String(data.password), is_admin: Boolean(data.is_admin) },
        }),
      );
      return { ...body.user, token: body.token };
    },
  },
  tokens: {
    getList: (params) => {
      const f = params.filter as Record<string, unknown>;
      return cursorList('tokens', params, async (cursor, limit) =>
        answer(
          await accountsApi.GET('/api/admin/tokens', {
            params: { query: { cursor, limit, user: text(f.user), include_revoked: flag(f.include_revoked) } },
          }),
        ),
      );
    },
    async create(data) {
      const scopes = Array.isArray(data.scopes)
        ? data.scopes.map(String)
        : (text(data.scopes) ?? '').split(/[\s,]+/).filter(Boolean);
      const body = answer(
        await accountsApi.POST('/api/admin/tokens', {
          body: { user: String(data.user), name: String(data.name), scopes, expires_in: text(data.expires_in) },
        }),
      );
      // The secret is in this answer only: the page shows it once.
      return { ...body.info, secret: body.token };
    },
    async delete(id) {
      answer(await accountsApi.DELETE('/api/admin/tokens/{id}', { params: { path: { id: Number(id) } } }));
    },
  },
  audit: {
    getList: (params) => {
      const f = params.filter as Record<string, unknown>;
      return cursorList('audit', params, async (cursor, limit) =>
        answer(
          await accountsApi.GET('/api/admin/audit', {
            params: {
              query: {
                cursor,
                limit,
                actor: text(f.actor),
                action: text(f.action),
                resource: text(f.resource),
                since: text(f.since),
              },
            },
          }),
        ),
      );
    },
  },
};

function resourceOf(name: string): Resource {
  const own = currentService() === 'im' ? imResources : dbuResources;
  const resource = own[name] ?? accountResources[name];
  if (!resource) throw new Error(`No such resource: ${name}`);
  return resource;
}

function unsupported(what: string, resource: string): never {
  throw new Error(`${resource}: ${what} is not offered by the API`);
}

/** What the admin's own pages ask beyond react-admin's list / one / change calls. */
export const customCalls = {
  /** A product's field history, and with `asOf` the product as it was then. */
  async productHistory(itemNo: string, asOf?: string) {
    return answer(
      await dbuApi.GET('/api/products/{item_no}/history', {
        params: { path: { item_no: itemNo }, query: { as_of: asOf, page_size: 100 } },
      }),
    );
  },
  /** Upload a catalogue file: a dry run computes the diff and changes nothing. */
  async uploadImport(file: File, options: { profile?: string; dryRun: boolean; rejectAll: boolean }) {
    const form = new FormData();
    if (options.profile) form.set('profile', options.profile);
    form.set('dry_run', options.dryRun ? 'true' : 'false');
    form.set('error_policy', options.rejectAll ? 'reject-all' : 'apply-valid');
    form.set('file', file, file.name);
    return answer(
      await dbuApi.POST('/api/imports', {
        // openapi-fetch sends FormData as is (multipart with its boundary).
        body: form as unknown as DbuPaths['/api/imports']['post']['requestBody']['content']['multipart/form-data'],
        bodySerializer: (body) => body as unknown as FormData,
      }),
    );
  },
  /**
   * Upload a GPSR spreadsheet (`POST /api/gpsr/`), queued as an import of kind gpsr. The key is
   * made once per chosen file: a resent request (a lost answer, a double click) queues it once.
   */
  async uploadGpsr(file: File, key: string, options: { dryRun: boolean }) {
    const form = new FormData();
    form.set('dry_run', options.dryRun ? 'true' : 'false');
    form.set('file', file, file.name);
    return answer(
      await dbuApi.POST('/api/gpsr', {
        params: { header: { 'idempotency-key': key } },
        body: form as unknown as DbuPaths['/api/gpsr']['post']['requestBody']['content']['multipart/form-data'],
        bodySerializer: (body) => body as unknown as FormData,
      }),
    );
  },
  /**
   * How many products have complete GPSR data and how many miss some: the product list's count
   * with the `complete` filter (a keyset first page, so a large count is the planner's estimate).
   */
  async gpsrCompleteness() {
    const count = async (complete: 'true' | 'false') => {
      const body = answer(
        await dbuApi.GET('/api/products', { params: { query: { cursor: '', page_size: 1, complete } } }),
      );
      return { count: body.count, estimated: body.count_is_estimate ?? false };
    };
    const [complete, missing] = await Promise.all([count('true'), count('false')]);
    return { complete, missing };
  },
  async importRun(id: string) {
    return answer(await dbuApi.GET('/api/imports/{id}', { params: { path: { id } } }));
  },
  /**
   * Apply exactly the diff a catalogue dry run showed: answers the new run (source `apply`), or
   * throws the API's 409 (`import_diff_stale` with `changed_items` when the catalogue changed
   * since the review). The key makes a resent request (a lost answer, a double click) apply once.
   */
  async applyImport(id: string, key: string) {
    return answer(
      await dbuApi.POST('/api/imports/{id}/apply', { params: { path: { id }, header: { 'idempotency-key': key } } }),
    );
  },
  /** The products an applied import wrote (its `changed_items_url`), first page. */
  async importProducts(id: string) {
    return answer(await dbuApi.GET('/api/products', { params: { query: { changed_in_import: id, page_size: 25 } } }));
  },
  /** An item's stock ledger, newest first. */
  async itemMovements(itemNo: string) {
    return answer(
      await imApi.GET('/api/items/{item_no}/movements', {
        params: { path: { item_no: itemNo }, query: { page_size: 100 } },
      }),
    );
  },
  /**
   * Add or reduce stock with a reason. The Idempotency-Key is made once per submitted form, so a
   * retried request (a lost answer, a double click) changes stock once.
   */
  async changeStock(kind: 'add' | 'reduce', change: { item_no: string; amount: number; reason?: string }, key: string) {
    const init = { body: change, params: { header: { 'idempotency-key': key } } };
    return answer(
      kind === 'add' ? await imApi.POST('/api/add-stock', init) : await imApi.POST('/api/reduce-stock', init),
    );
  },
  /** One received order with its lines. */
  async order(orderNumber: string) {
    return answer(await imApi.GET('/api/orders/{order_number}', { params: { path: { order_number: orderNumber } } }));
  },
  /** How far the DBU details are synced, with the first items still missing them. */
  async syncStatus() {
    return answer(await imApi.GET('/api/sync/status', { params: { query: { limit: 100 } } }));
  },
  /** "Sync now": `POST /api/signal/` (items missing DBU details), once per `key`. */
  async requestSync(key: string) {
    return answer(
      await imApi.POST('/api/signal', {
        body: { scope: 'missing' },
        params: { header: { 'idempotency-key': key } },
      }),
    );
  },
  async upcomingPayments() {
    return answer(await imApi.GET('/api/analysis/upcoming-payments', { params: { query: {} } }));
  },
};

export type CustomCalls = typeof customCalls;

export const dataProvider: DataProvider & CustomCalls = {
  ...customCalls,
  getList: async (resource, params) => resourceOf(resource).getList(params) as never,
  getOne: async (resource, params) => {
    const r = resourceOf(resource);
    if (!r.getOne) unsupported('getOne', resource);
    return { data: (await r.getOne(params.id)) as never };
  },
  getMany: async (resource, params) => {
    const r = resourceOf(resource);
    if (!r.getOne) unsupported('getMany', resource);
    const getOne = r.getOne.bind(r);
    return { data: (await Promise.all(params.ids.map((id) => getOne(id)))) as never };
  },
  getManyReference: async (resource) => unsupported('getManyReference', resource),
  update: async (resource, params) => {
    const r = resourceOf(resource);
    if (!r.update) unsupported('update', resource);
    return {
      data: (await r.update(
        params.id as Identifier,
        params.data as Record<string, unknown>,
        (params.previousData ?? {}) as Record<string, unknown>,
      )) as never,
    };
  },
  updateMany: async (resource) => unsupported('updateMany', resource),
  create: async (resource, params) => {
    const r = resourceOf(resource);
    if (!r.create) unsupported('create', resource);
    return { data: (await r.create(params.data as Record<string, unknown>)) as never };
  },
  delete: async (resource, params) => {
    const r = resourceOf(resource);
    if (!r.delete) unsupported('delete', resource);
    await r.delete(params.id);
    return { data: (params.previousData ?? { id: params.id }) as never };
  },
  deleteMany: async (resource, params) => {
    const r = resourceOf(resource);
    if (!r.delete) unsupported('deleteMany', resource);
    for (const id of params.ids) await r.delete(id);
    return { data: params.ids };
  },
};
