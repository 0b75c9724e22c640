/**
 * A small, faithful fake of HashiCorp Vault's HTTP API for tests: the endpoints our scripts
 * (scripts/setup_approle.sh, scripts/push_env_to_vault.sh) and the config library (AppRole
 * login, KV v2 read, token renewal) use, with Vault's status codes, JSON shapes and
 * `{"errors": [...]}` bodies, X-Vault-Token authentication, ACL policies (path globs and
 * capabilities), response wrapping and KV v2 check-and-set.
 *
 *   const vault = await startVaultFake({ kv: { dbu: { DATABASE_URL: 'postgres://…' } } });
 *   // vault.url, vault.state (inspect or change), await vault.close()
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface VaultToken {
  token: string;
  accessor: string;
  policies: string[];
  /** Seconds; 0 = never expires (root). */
  ttl: number;
  maxTtl: number;
  createdAt: number;
  expiresAt: number;
  renewable: boolean;
  meta: Record<string, string>;
}

export interface VaultRole {
  name: string;
  roleId: string;
  /** The role's settings as last written (token_policies, token_ttl, …). */
  config: JsonObject;
  /** secret id -> its accessor and remaining uses (0 = unlimited). */
  secretIds: Map<string, { accessor: string; usesLeft: number; createdAt: number }>;
}

export interface KvVersion {
  data: JsonObject;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
}

export interface KvSecret {
  currentVersion: number;
  versions: Map<number, KvVersion>;
  createdTime: string;
  updatedTime: string;
}

export interface WrappedResponse {
  response: JsonObject;
  creationPath: string;
  accessor: string;
  expiresAt: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Accessor of the token used (never the token itself), if any. */
  tokenAccessor?: string;
  status: number;
}

export interface VaultFakeState {
  initialized: boolean;
  sealed: boolean;
  rootToken: string;
  /** TTL in seconds of tokens issued by AppRole logins (default 3600). */
  tokenTtl: number;
  tokenMaxTtl: number;
  tokens: Map<string, VaultToken>;
  policies: Map<string, string>;
  authMounts: Map<string, { type: string; description: string }>;
  secretMounts: Map<string, { type: string; version: string; description: string }>;
  auditDevices: Map<string, { type: string; options: Record<string, string> }>;
  roles: Map<string, VaultRole>;
  /** KV v2 secrets by `<mount>/<path>`, e.g. `secret/dbu`. */
  kv: Map<string, KvSecret>;
  wrapped: Map<string, WrappedResponse>;
  /** The bytes `GET sys/storage/raft/snapshot` answers (tests compare what was backed up). */
  raftSnapshot: Buffer;
  requests: RecordedRequest[];
  /**
   * Called before each API request is handled (path without /v1/): lets a test act as a
   * concurrent client, e.g. write a secret between a script's read and its write.
   */
  beforeRequest?: (method: string, path: string) => void;
  /** Writes a new KV v2 version directly (as another writer would), returns the version. */
  putSecret(path: string, data: JsonObject, mount?: string): number;
  /** Latest data of a KV v2 secret, or undefined. */
  getSecret(path: string, mount?: string): JsonObject | undefined;
  /** Issues a token (as an AppRole login would) and returns it. */
  issueToken(policies: string[], ttl?: number, meta?: Record<string, string>): VaultToken;
}

export interface VaultFakeOptions {
  host?: string;
  port?: number;
  rootToken?: string;
  initialized?: boolean;
  sealed?: boolean;
  tokenTtl?: number;
  tokenMaxTtl?: number;
  /** Mount approle/ and secret/ (kv v2) at start (default true), as a configured Vault has. */
  withDefaultMounts?: boolean;
  policies?: Record<string, string>;
  roles?: Record<string, { roleId?: string; secretIds?: string[]; policies?: string[]; config?: JsonObject }>;
  /** KV v2 data at `secret/<path>` (version 1 each). */
  kv?: Record<string, JsonObject>;
  /** What `GET sys/storage/raft/snapshot` streams (default: random bytes). */
  raftSnapshot?: Buffer;
}

export interface VaultFake {
  url: string;
  state: VaultFakeState;
  close(): Promise<void>;
}

class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors.join('; ') || `HTTP ${status}`);
  }
}

/** A request field as a string (numbers and booleans as written, objects as JSON). */
function str(value: Json | undefined, fallback = ''): string {
  if (value === undefined || value === null) return fallback;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const denied = () => new VaultError(403, ['permission denied']);
const notFound = () => new VaultError(404, []);
const nowIso = () => new Date().toISOString();
const randomId = (bytes = 12) => randomBytes(bytes).toString('base64url');

/** Parses Vault durations: 90, "90", "90s", "15m", "1h", "7d" -> seconds. */
export function parseDuration(value: Json | undefined, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'number') return value;
  const text = str(value).trim();
  const match = /^(\d+)([smhd]?)$/.exec(text);
  if (!match) throw new VaultError(400, [`invalid duration "${text}"`]);
  const factor = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * factor;
}

interface PolicyRule {
  path: string;
  capabilities: string[];
}

/** The `path "…" { capabilities = [...] }` blocks of an HCL policy. */
export function parsePolicy(text: string): PolicyRule[] {
  const rules: PolicyRule[] = [];
  const block = /path\s+"([^"]+)"\s*\{([^}]*)\}/g;
  for (let m = block.exec(text); m; m = block.exec(text)) {
    const caps = /capabilities\s*=\s*\[([^\]]*)\]/.exec(m[2] ?? '');
    const capabilities = caps ? [...(caps[1] ?? '').matchAll(/"([^"]+)"/g)].map((c) => c[1] ?? '') : [];
    rules.push({ path: m[1] ?? '', capabilities });
  }
  return rules;
}

/** Vault's path matching: a trailing `*` is a prefix glob, `+` matches one segment. */
function pathMatches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const base = glob ? pattern.slice(0, -1) : pattern;
  const re = new RegExp(
    '^' +
      base
        .split('+')
        .map((part) => part.replace(/[.*?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]+') +
      (glob ? '.*' : '') +
      '$',
  );
  return re.test(path);
}

/** Capabilities the default policy grants every token. */
const DEFAULT_POLICY = `
path "auth/token/lookup-self" { capabilities = ["read"] }
path "auth/token/renew-self" { capabilities = ["update"] }
path "sys/wrapping/unwrap" { capabilities = ["update"] }
`;

function createState(options: VaultFakeOptions): VaultFakeState {
  const state: VaultFakeState = {
    initialized: options.initialized ?? true,
    sealed: options.sealed ?? false,
    rootToken: options.rootToken ?? 'root-token',
    tokenTtl: options.tokenTtl ?? 3600,
    tokenMaxTtl: options.tokenMaxTtl ?? 86400,
    tokens: new Map(),
    policies: new Map(),
    authMounts: new Map([['token/', { type: 'token', description: 'token based credentials' }]]),
    secretMounts: new Map([
      ['sys/', { type: 'system', version: '', description: 'system endpoints' }],
      ['cubbyhole/', { type: 'cubbyhole', version: '', description: 'per-token private storage' }],
    ]),
    auditDevices: new Map(),
    roles: new Map(),
    kv: new Map(),
    wrapped: new Map(),
    raftSnapshot: options.raftSnapshot ?? randomBytes(4096),
    requests: [],
    putSecret(path, data, mount = 'secret') {
      const key = `${mount}/${path}`;
      const now = nowIso();
      const secret = state.kv.get(key) ?? {
        currentVersion: 0,
        versions: new Map(),
        createdTime: now,
        updatedTime: now,
      };
      secret.currentVersion += 1;
      secret.updatedTime = now;
      secret.versions.set(secret.currentVersion, { data, createdTime: now, deletionTime: '', destroyed: false });
      state.kv.set(key, secret);
      return secret.currentVersion;
    },
    getSecret(path, mount = 'secret') {
      const secret = state.kv.get(`${mount}/${path}`);
      return secret?.versions.get(secret.currentVersion)?.data;
    },
    issueToken(policies, ttl = state.tokenTtl, meta = {}) {
      const now = Date.now();
      const token: VaultToken = {
        token: `hvs.${randomId(18)}`,
        accessor: randomId(),
        policies: ['default', ...policies.filter((p) => p !== 'default')],
        ttl,
        maxTtl: state.tokenMaxTtl,
        createdAt: now,
        expiresAt: ttl > 0 ? now + ttl * 1000 : 0,
        renewable: ttl > 0,
        meta,
      };
      state.tokens.set(token.token, token);
      return token;
    },
  };
  state.tokens.set(state.rootToken, {
    token: state.rootToken,
    accessor: 'root-accessor',
    policies: ['root'],
    ttl: 0,
    maxTtl: 0,
    createdAt: Date.now(),
    expiresAt: 0,
    renewable: false,
    meta: {},
  });
  if (options.withDefaultMounts ?? true) {
    state.authMounts.set('approle/', { type: 'approle', description: '' });
    state.secretMounts.set('secret/', { type: 'kv', version: '2', description: 'key/value secret storage' });
  }
  for (const [name, text] of Object.entries(options.policies ?? {})) state.policies.set(name, text);
  for (const [name, role] of Object.entries(options.roles ?? {})) {
    const secretIds = new Map<string, { accessor: string; usesLeft: number; createdAt: number }>();
    for (const id of role.secretIds ?? [])
      secretIds.set(id, { accessor: randomId(), usesLeft: 0, createdAt: Date.now() });
    state.roles.set(name, {
      name,
      roleId: role.roleId ?? randomUUID(),
      config: { token_policies: role.policies ?? [name], ...(role.config ?? {}) },
      secretIds,
    });
  }
  for (const [path, data] of Object.entries(options.kv ?? {})) state.putSecret(path, data);
  return state;
}

function readBody(req: IncomingMessage): Promise<JsonObject> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (!text) return resolve({});
      try {
        const parsed = JSON.parse(text) as Json;
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          reject(new VaultError(400, ['failed to parse JSON input: expected an object']));
        } else resolve(parsed);
      } catch (err) {
        reject(new VaultError(400, [`failed to parse JSON input: ${(err as Error).message}`]));
      }
    });
  });
}

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: JsonObject;
}

interface Reply {
  status: number;
  body?: JsonObject;
  /** A binary body (the raft snapshot) instead of JSON. */
  raw?: Buffer;
}

const ok = (body: JsonObject): Reply => ({ status: 200, body });
const noContent = (): Reply => ({ status: 204 });

function envelope(data: JsonObject | null, extra: JsonObject = {}): JsonObject {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...extra,
  };
}

function authBlock(token: VaultToken): JsonObject {
  const policies = token.policies;
  return {
    client_token: token.token,
    accessor: token.accessor,
    policies,
    token_policies: policies,
    metadata: token.meta,
    lease_duration: token.ttl,
    renewable: token.renewable,
    entity_id: '',
    token_type: 'service',
    orphan: true,
  };
}

class VaultFakeHandler {
  constructor(readonly state: VaultFakeState) {}

  private tokenOf(req: Request): VaultToken | undefined {
    const header = req.headers['x-vault-token'];
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const value = (Array.isArray(header) ? header[0] : header) ?? bearer;
    if (!value) return undefined;
    const token = this.state.tokens.get(value.trim());
    if (!token) return undefined;
    if (token.expiresAt > 0 && token.expiresAt <= Date.now()) {
      this.state.tokens.delete(token.token);
      return undefined;
    }
    return token;
  }

  /** Throws 403 unless the token's policies grant `capability` on `path`. */
  private authorize(req: Request, path: string, capability: string | string[]): VaultToken {
    const token = this.tokenOf(req);
    if (!token) throw denied();
    if (token.policies.includes('root')) return token;
    const wanted = Array.isArray(capability) ? capability : [capability];
    const texts = [DEFAULT_POLICY, ...token.policies.map((p) => this.state.policies.get(p) ?? '')];
    let best: PolicyRule | undefined;
    for (const rule of texts.flatMap(parsePolicy)) {
      if (!pathMatches(rule.path, path)) continue;
      // Vault uses the most specific match; an exact path beats a glob, longer beats shorter.
      if (!best || specificity(rule.path) > specificity(best.path)) best = rule;
    }
    if (!best || best.capabilities.includes('deny') || !wanted.some((c) => best?.capabilities.includes(c))) {
      throw denied();
    }
    return token;
  }

  async handle(req: Request): Promise<Reply> {
    const { method, path } = req;
    this.state.beforeRequest?.(method, path);
    if (path === 'sys/health') return this.health(req);
    if (path === 'sys/seal-status') {
      return ok({ type: 'shamir', initialized: this.state.initialized, sealed: this.state.sealed, t: 3, n: 5 });
    }
    if (!this.state.initialized) throw new VaultError(400, ['Vault is not initialized']);
    if (this.state.sealed) throw new VaultError(503, ['Vault is sealed']);

    let m: RegExpExecArray | null;
    if (path === 'auth/approle/login' && method === 'POST') return this.approleLogin(req);
    if (path === 'auth/token/renew-self' && (method === 'POST' || method === 'PUT')) return this.renewSelf(req);
    if (path === 'auth/token/lookup-self' && method === 'GET') return this.lookupSelf(req);
    if (path === 'sys/wrapping/unwrap' && (method === 'POST' || method === 'PUT')) return this.unwrap(req);

    // A consistent snapshot of the raft storage, streamed (application/gzip in Vault).
    if (path === 'sys/storage/raft/snapshot' && method === 'GET') {
      this.authorize(req, path, 'read');
      return { status: 200, raw: this.state.raftSnapshot };
    }

    if (path === 'sys/auth' && method === 'GET') {
      this.authorize(req, path, 'read');
      return ok(this.mountTable(this.state.authMounts, 'auth'));
    }
    if ((m = /^sys\/auth\/(.+)$/.exec(path)) && (method === 'POST' || method === 'PUT')) {
      this.authorize(req, path, ['create', 'update', 'sudo']);
      const key = `${m[1]}/`;
      if (this.state.authMounts.has(key)) throw new VaultError(400, [`path is already in use at ${key}`]);
      this.state.authMounts.set(key, {
        type: str(req.body.type),
        description: str(req.body.description),
      });
      return noContent();
    }
    if (path === 'sys/mounts' && method === 'GET') {
      this.authorize(req, path, 'read');
      return ok(this.mountTable(this.state.secretMounts, 'secret'));
    }
    if ((m = /^sys\/mounts\/(.+)$/.exec(path)) && (method === 'POST' || method === 'PUT')) {
      this.authorize(req, path, ['create', 'update', 'sudo']);
      const key = `${m[1]}/`;
      if (this.state.secretMounts.has(key)) throw new VaultError(400, [`path is already in use at ${key}`]);
      const opts = (req.body.options ?? {}) as JsonObject;
      this.state.secretMounts.set(key, {
        type: str(req.body.type),
        version: str(opts.version, req.body.type === 'kv-v2' ? '2' : '1'),
        description: str(req.body.description),
      });
      return noContent();
    }
    if (path === 'sys/audit' && method === 'GET') {
      this.authorize(req, path, 'sudo');
      const table: JsonObject = {};
      for (const [key, dev] of this.state.auditDevices) {
        table[key] = { type: dev.type, description: '', options: dev.options, path: key, local: false };
      }
      return ok({ ...table, data: table });
    }
    if ((m = /^sys\/audit\/(.+)$/.exec(path)) && (method === 'POST' || method === 'PUT')) {
      this.authorize(req, path, 'sudo');
      const key = `${m[1]}/`;
      if (this.state.auditDevices.has(key)) throw new VaultError(400, [`path already in use`]);
      const options: Record<string, string> = {};
      for (const [k, v] of Object.entries((req.body.options ?? {}) as JsonObject)) options[k] = str(v);
      this.state.auditDevices.set(key, { type: str(req.body.type), options });
      return noContent();
    }

    if ((m = /^sys\/policies\/acl\/([^/]+)$/.exec(path))) return this.policy(req, m[1] ?? '');
    if ((m = /^auth\/approle\/role\/([^/]+)$/.exec(path))) return this.role(req, m[1] ?? '');
    if ((m = /^auth\/approle\/role\/([^/]+)\/role-id$/.exec(path)) && method === 'GET') {
      this.authorize(req, path, 'read');
      const role = this.state.roles.get(m[1] ?? '');
      if (!role) throw notFound();
      return ok(envelope({ role_id: role.roleId }));
    }
    if ((m = /^auth\/approle\/role\/([^/]+)\/secret-id$/.exec(path)) && (method === 'POST' || method === 'PUT')) {
      return this.secretId(req, m[1] ?? '');
    }

    if ((m = /^([^/]+)\/(data|metadata)\/(.+)$/.exec(path))) {
      const mount = this.state.secretMounts.get(`${m[1]}/`);
      if (mount && mount.type === 'kv' && mount.version === '2') {
        return m[2] === 'data'
          ? this.kvData(req, m[1] ?? '', m[3] ?? '')
          : this.kvMetadata(req, m[1] ?? '', m[3] ?? '');
      }
    }
    throw new VaultError(404, [`no handler for route "${path}". route entry not found.`]);
  }

  private health(req: Request): Reply {
    const body: JsonObject = {
      initialized: this.state.initialized,
      sealed: this.state.sealed,
      standby: false,
      performance_standby: false,
      server_time_utc: Math.floor(Date.now() / 1000),
      version: '1.18.0+fake',
      cluster_name: 'vault-fake',
    };
    const code = (name: string, fallback: number) => Number(req.query.get(name) ?? fallback);
    if (!this.state.initialized) return { status: code('uninitcode', 501), body };
    if (this.state.sealed) return { status: code('sealedcode', 503), body };
    return { status: code('activecode', 200), body };
  }

  private mountTable(mounts: Map<string, { type: string; description: string; version?: string }>, kind: string) {
    const table: JsonObject = {};
    for (const [key, mount] of mounts) {
      table[key] = {
        type: mount.type,
        description: mount.description,
        accessor: `${kind}_${mount.type}_${key.length}`,
        config: { default_lease_ttl: 0, max_lease_ttl: 0 },
        options: mount.version ? { version: mount.version } : null,
        local: false,
        seal_wrap: false,
      };
    }
    // Like Vault: the table both at the top level and under data.
    return { ...table, ...envelope(table) };
  }

  private approleLogin(req: Request): Reply {
    const roleId = str(req.body.role_id);
    const secretId = str(req.body.secret_id);
    if (!roleId) throw new VaultError(400, ['missing role_id']);
    const role = [...this.state.roles.values()].find((r) => r.roleId === roleId);
    if (!role) throw new VaultError(400, ['invalid role ID']);
    const entry = role.secretIds.get(secretId);
    if (!secretId || !entry) throw new VaultError(400, ['invalid secret id']);
    if (entry.usesLeft > 0) {
      entry.usesLeft -= 1;
      if (entry.usesLeft === 0) role.secretIds.delete(secretId);
    }
    const policies = (role.config.token_policies as string[] | undefined) ?? [];
    const ttl = parseDuration(role.config.token_ttl, this.state.tokenTtl);
    const token = this.state.issueToken(policies, ttl, { role_name: role.name });
    token.maxTtl = parseDuration(role.config.token_max_ttl, this.state.tokenMaxTtl);
    return ok(envelope(null, { auth: authBlock(token) }));
  }

  private renewSelf(req: Request): Reply {
    const token = this.authorize(req, 'auth/token/renew-self', 'update');
    if (!token.renewable) throw new VaultError(400, ['lease is not renewable']);
    const requested = parseDuration(req.body.increment, token.ttl);
    const now = Date.now();
    const maxEnd = token.maxTtl > 0 ? token.createdAt + token.maxTtl * 1000 : Infinity;
    const end = Math.min(now + requested * 1000, maxEnd);
    token.expiresAt = end;
    const remaining = Math.max(0, Math.floor((end - now) / 1000));
    return ok(envelope(null, { auth: { ...authBlock(token), lease_duration: remaining } }));
  }

  private lookupSelf(req: Request): Reply {
    const token = this.authorize(req, 'auth/token/lookup-self', 'read');
    const ttl = token.expiresAt > 0 ? Math.max(0, Math.floor((token.expiresAt - Date.now()) / 1000)) : 0;
    return ok(
      envelope({
        accessor: token.accessor,
        policies: token.policies,
        ttl,
        creation_ttl: token.ttl,
        renewable: token.renewable,
        meta: token.meta,
      }),
    );
  }

  private unwrap(req: Request): Reply {
    const header = req.headers['x-vault-token'];
    const wrappingToken =
      typeof req.body.token === 'string' ? req.body.token : ((Array.isArray(header) ? header[0] : header) ?? '');
    const wrapped = this.state.wrapped.get(wrappingToken);
    if (!wrapped) throw new VaultError(400, ['wrapping token is not valid or does not exist']);
    this.state.wrapped.delete(wrappingToken);
    if (wrapped.expiresAt <= Date.now()) throw new VaultError(400, ['wrapping token is not valid or does not exist']);
    return ok(wrapped.response);
  }

  private policy(req: Request, name: string): Reply {
    const path = `sys/policies/acl/${name}`;
    switch (req.method) {
      case 'GET': {
        this.authorize(req, path, 'read');
        const text = this.state.policies.get(name);
        if (text === undefined) throw notFound();
        return ok(envelope({ name, policy: text }));
      }
      case 'POST':
      case 'PUT': {
        this.authorize(req, path, ['create', 'update']);
        if (name === 'root') throw new VaultError(400, ['cannot update "root" policy']);
        const text = req.body.policy;
        if (typeof text !== 'string' || !text.trim())
          throw new VaultError(400, ["'policy' parameter not supplied or empty"]);
        if (!/path\s+"/.test(text)) throw new VaultError(400, ['failed to parse policy: no path blocks']);
        this.state.policies.set(name, text);
        return noContent();
      }
      case 'DELETE':
        this.authorize(req, path, 'delete');
        this.state.policies.delete(name);
        return noContent();
      default:
        throw new VaultError(405, ['unsupported operation']);
    }
  }

  private role(req: Request, name: string): Reply {
    const path = `auth/approle/role/${name}`;
    if (!this.state.authMounts.has('approle/')) throw new VaultError(404, [`no handler for route "${path}"`]);
    switch (req.method) {
      case 'GET': {
        this.authorize(req, path, 'read');
        const role = this.state.roles.get(name);
        if (!role) throw notFound();
        return ok(envelope(role.config));
      }
      case 'POST':
      case 'PUT': {
        this.authorize(req, path, ['create', 'update']);
        for (const key of ['token_ttl', 'token_max_ttl', 'secret_id_ttl']) parseDuration(req.body[key], 0);
        const existing = this.state.roles.get(name);
        const config: JsonObject = { ...(existing?.config ?? {}), ...req.body };
        if (typeof config.token_policies === 'string') {
          config.token_policies = config.token_policies.split(',').map((p) => p.trim());
        }
        this.state.roles.set(name, {
          name,
          roleId: existing?.roleId ?? randomUUID(),
          config,
          secretIds: existing?.secretIds ?? new Map(),
        });
        return noContent();
      }
      case 'DELETE':
        this.authorize(req, path, 'delete');
        this.state.roles.delete(name);
        return noContent();
      default:
        throw new VaultError(405, ['unsupported operation']);
    }
  }

  private secretId(req: Request, name: string): Reply {
    const path = `auth/approle/role/${name}/secret-id`;
    this.authorize(req, path, ['create', 'update']);
    const role = this.state.roles.get(name);
    if (!role) throw new VaultError(400, [`role "${name}" does not exist`]);
    const secretId = randomUUID();
    const accessor = randomUUID();
    const uses = Number(role.config.secret_id_num_uses ?? 0);
    role.secretIds.set(secretId, { accessor, usesLeft: uses, createdAt: Date.now() });
    const response = envelope({
      secret_id: secretId,
      secret_id_accessor: accessor,
      secret_id_ttl: parseDuration(role.config.secret_id_ttl, 0),
      secret_id_num_uses: uses,
    });
    const wrapHeader = req.headers['x-vault-wrap-ttl'];
    const wrapTtl = Array.isArray(wrapHeader) ? wrapHeader[0] : wrapHeader;
    if (!wrapTtl) return ok(response);
    const ttl = parseDuration(wrapTtl, 300);
    const token = `hvs.wrap.${randomId(18)}`;
    const wrapAccessor = randomId();
    this.state.wrapped.set(token, {
      response,
      creationPath: path,
      accessor: wrapAccessor,
      expiresAt: Date.now() + ttl * 1000,
    });
    return ok(
      envelope(null, {
        wrap_info: { token, accessor: wrapAccessor, ttl, creation_time: nowIso(), creation_path: path },
      }),
    );
  }

  private kvData(req: Request, mount: string, path: string): Reply {
    const apiPath = `${mount}/data/${path}`;
    const key = `${mount}/${path}`;
    const secret = this.state.kv.get(key);
    switch (req.method) {
      case 'GET': {
        this.authorize(req, apiPath, 'read');
        if (!secret) throw notFound();
        const version = Number(req.query.get('version') || secret.currentVersion);
        const v = secret.versions.get(version);
        if (!v) throw notFound();
        const metadata: JsonObject = {
          created_time: v.createdTime,
          custom_metadata: null,
          deletion_time: v.deletionTime,
          destroyed: v.destroyed,
          version,
        };
        // Vault answers 404 with the metadata for a deleted or destroyed version.
        if (v.deletionTime || v.destroyed) return { status: 404, body: envelope({ data: null, metadata }) };
        return ok(envelope({ data: v.data, metadata }));
      }
      case 'POST':
      case 'PUT': {
        this.authorize(req, apiPath, secret ? 'update' : ['create', 'update']);
        const data = req.body.data;
        if (data === undefined || data === null || typeof data !== 'object' || Array.isArray(data)) {
          throw new VaultError(400, ['no data provided']);
        }
        const options = (req.body.options ?? {}) as JsonObject;
        const current = secret?.currentVersion ?? 0;
        if (options.cas !== undefined && options.cas !== null && Number(options.cas) !== current) {
          throw new VaultError(400, ['check-and-set parameter did not match the current version']);
        }
        const version = this.state.putSecret(path, data, mount);
        const v = this.state.kv.get(key)?.versions.get(version);
        return ok(
          envelope({
            created_time: v?.createdTime ?? nowIso(),
            custom_metadata: null,
            deletion_time: '',
            destroyed: false,
            version,
          }),
        );
      }
      case 'DELETE': {
        this.authorize(req, apiPath, 'delete');
        const v = secret?.versions.get(secret.currentVersion);
        if (v) v.deletionTime = nowIso();
        return noContent();
      }
      default:
        throw new VaultError(405, ['unsupported operation']);
    }
  }

  private kvMetadata(req: Request, mount: string, path: string): Reply {
    const apiPath = `${mount}/metadata/${path}`;
    if (req.method !== 'GET') throw new VaultError(405, ['unsupported operation']);
    this.authorize(req, apiPath, 'read');
    const secret = this.state.kv.get(`${mount}/${path}`);
    if (!secret) throw notFound();
    const versions: JsonObject = {};
    for (const [n, v] of secret.versions) {
      versions[String(n)] = { created_time: v.createdTime, deletion_time: v.deletionTime, destroyed: v.destroyed };
    }
    return ok(
      envelope({
        cas_required: false,
        created_time: secret.createdTime,
        current_version: secret.currentVersion,
        custom_metadata: null,
        delete_version_after: '0s',
        max_versions: 0,
        oldest_version: Math.min(...secret.versions.keys()),
        updated_time: secret.updatedTime,
        versions,
      }),
    );
  }
}

function specificity(pattern: string): number {
  return (pattern.endsWith('*') ? 0 : 10_000) + pattern.length - (pattern.split('+').length - 1) * 100;
}

/** Starts the fake on a free loopback port. */
export async function startVaultFake(options: VaultFakeOptions = {}): Promise<VaultFake> {
  const state = createState(options);
  const handler = new VaultFakeHandler(state);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://vault.fake');
    const method = (req.method ?? 'GET').toUpperCase() === 'LIST' ? 'GET' : (req.method ?? 'GET').toUpperCase();
    const send = (reply: Reply, accessor?: string) => {
      state.requests.push({ method, path: url.pathname, tokenAccessor: accessor, status: reply.status });
      if (reply.raw) {
        res.writeHead(reply.status, { 'content-type': 'application/gzip' }).end(reply.raw);
      } else if (reply.body === undefined) {
        res.writeHead(reply.status).end();
      } else {
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
      }
    };
    const tokenHeader = req.headers['x-vault-token'];
    const accessor = state.tokens.get(
      String(Array.isArray(tokenHeader) ? tokenHeader[0] : (tokenHeader ?? '')),
    )?.accessor;
    if (!url.pathname.startsWith('/v1/')) {
      send({ status: 404, body: { errors: [] } }, accessor);
      return;
    }
    readBody(req)
      .then((body) =>
        handler.handle({
          method,
          path: url.pathname.slice(4).replace(/\/+$/, ''),
          query: url.searchParams,
          headers: req.headers,
          body,
        }),
      )
      .then(
        (reply) => send(reply, accessor),
        (err: unknown) => {
          if (err instanceof VaultError) send({ status: err.status, body: { errors: err.errors } }, accessor);
          else send({ status: 500, body: { errors: [`internal error: ${(err as Error).message}`] } }, accessor);
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
