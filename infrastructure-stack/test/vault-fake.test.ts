import { startVaultFake, type VaultFake } from '../../test/fakes/vault-fake';

// The parts of Vault's answers these tests read.
interface ApiBody {
  data: { [key: string]: unknown; data: Record<string, string>; version: number; secret_id: string };
  auth: { client_token: string; lease_duration: number };
  wrap_info: { token: string };
  errors?: string[];
}

/** The fake's contract, as the scripts and the config library rely on it. */
describe('Vault fake (test/fakes/vault-fake.ts)', () => {
  let vault: VaultFake;

  const call = async (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${vault.url}/v1/${path}`, {
      method,
      headers: { ...(token ? { 'x-vault-token': token } : {}), 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as ApiBody | undefined };
  };

  afterEach(async () => vault.close());

  it('logs in with a pre-seeded AppRole and reads KV v2 allowed by the role policy only', async () => {
    vault = await startVaultFake({
      policies: { dbu: 'path "secret/data/dbu" { capabilities = ["read"] }' },
      roles: { dbu: { roleId: 'role-1', secretIds: ['secret-1'] } },
      kv: { dbu: { DATABASE_URL: 'postgres://x' }, im: { A: '1' } },
      tokenTtl: 60,
    });
    const login = await call('POST', 'auth/approle/login', undefined, { role_id: 'role-1', secret_id: 'secret-1' });
    expect(login.status).toBe(200);
    expect(login.body?.auth).toMatchObject({ lease_duration: 60, renewable: true, policies: ['default', 'dbu'] });
    const token = login.body!.auth.client_token;
    const read = await call('GET', 'secret/data/dbu', token);
    expect(read.body?.data).toMatchObject({ data: { DATABASE_URL: 'postgres://x' }, metadata: { version: 1 } });
    expect(await call('GET', 'secret/data/im', token)).toEqual({
      status: 403,
      body: { errors: ['permission denied'] },
    });
    expect(
      (await call('POST', 'auth/approle/login', undefined, { role_id: 'role-1', secret_id: 'nope' })).body,
    ).toEqual({
      errors: ['invalid secret id'],
    });
  });

  it('expires tokens after their TTL and renews them up to the max TTL', async () => {
    vault = await startVaultFake({ roles: { dbu: { roleId: 'r', secretIds: ['s'] } }, tokenTtl: 1, tokenMaxTtl: 2 });
    const token = (await call('POST', 'auth/approle/login', undefined, { role_id: 'r', secret_id: 's' })).body?.auth
      .client_token as string;
    const renewed = await call('POST', 'auth/token/renew-self', token, {});
    expect(renewed.status).toBe(200);
    expect(renewed.body?.auth.lease_duration).toBeLessThanOrEqual(2);
    const t = vault.state.tokens.get(token)!;
    t.expiresAt = Date.now() - 1;
    expect((await call('GET', 'auth/token/lookup-self', token)).status).toBe(403);
  });

  it('answers sys/health like Vault for active, sealed and uninitialised servers', async () => {
    vault = await startVaultFake();
    expect((await call('GET', 'sys/health')).status).toBe(200);
    vault.state.sealed = true;
    expect((await call('GET', 'sys/health')).body).toMatchObject({ sealed: true });
    expect((await call('GET', 'sys/health')).status).toBe(503);
    expect((await call('GET', 'secret/data/x', vault.state.rootToken)).body).toEqual({ errors: ['Vault is sealed'] });
    vault.state.initialized = false;
    expect((await call('GET', 'sys/health')).status).toBe(501);
  });

  it('applies KV v2 check-and-set and keeps versions', async () => {
    vault = await startVaultFake();
    const root = vault.state.rootToken;
    expect(
      (await call('POST', 'secret/data/app', root, { data: { A: '1' }, options: { cas: 0 } })).body?.data.version,
    ).toBe(1);
    expect(await call('POST', 'secret/data/app', root, { data: { A: '2' }, options: { cas: 0 } })).toEqual({
      status: 400,
      body: { errors: ['check-and-set parameter did not match the current version'] },
    });
    expect((await call('POST', 'secret/data/app', root, { data: { A: '2' }, options: { cas: 1 } })).status).toBe(200);
    expect((await call('GET', 'secret/metadata/app', root)).body?.data).toMatchObject({
      current_version: 2,
      oldest_version: 1,
    });
    expect((await call('GET', 'secret/data/app?version=1', root)).body?.data.data).toEqual({ A: '1' });
    expect((await call('GET', 'secret/data/missing', root)).status).toBe(404);
  });

  it('wraps a secret id on X-Vault-Wrap-TTL and unwraps it once', async () => {
    vault = await startVaultFake({ roles: { dbu: { roleId: 'r' } } });
    const root = vault.state.rootToken;
    const wrapped = await call('POST', 'auth/approle/role/dbu/secret-id', root, {}, { 'x-vault-wrap-ttl': '60s' });
    expect(wrapped.body?.data).toBeNull();
    expect(wrapped.body?.wrap_info).toMatchObject({ ttl: 60, creation_path: 'auth/approle/role/dbu/secret-id' });
    const unwrapped = await call('POST', 'sys/wrapping/unwrap', wrapped.body!.wrap_info.token);
    const secretId = unwrapped.body!.data.secret_id;
    expect(vault.state.roles.get('dbu')?.secretIds.has(secretId)).toBe(true);
    expect((await call('POST', 'sys/wrapping/unwrap', wrapped.body!.wrap_info.token)).status).toBe(400);
    expect((await call('POST', 'auth/approle/login', undefined, { role_id: 'r', secret_id: secretId })).status).toBe(
      200,
    );
  });

  it('records requests without tokens and supports a hook before each request', async () => {
    vault = await startVaultFake();
    const seen: string[] = [];
    vault.state.beforeRequest = (method, path) => seen.push(`${method} ${path}`);
    await call('GET', 'sys/mounts', vault.state.rootToken);
    expect(seen).toEqual(['GET sys/mounts']);
    expect(vault.state.requests).toEqual([
      { method: 'GET', path: '/v1/sys/mounts', tokenAccessor: 'root-accessor', status: 200 },
    ]);
    expect(JSON.stringify(vault.state.requests)).not.toContain(vault.state.rootToken);
  });
});
