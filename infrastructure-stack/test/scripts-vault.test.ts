import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startVaultFake, type VaultFake } from '../../test/fakes/vault-fake';
import { ShimDir } from './support/shims';
import { INFRA_DIR, SCRIPTS_DIR, describeWithTools, runAsync } from './support/tools';

const SETUP = path.join(SCRIPTS_DIR, 'setup_approle.sh');
const PUSH = path.join(SCRIPTS_DIR, 'push_env_to_vault.sh');
const ROOT_TOKEN = 'hvs.root-token-for-tests';

interface ApiBody {
  data: { secret_id: string; data: Record<string, string> };
  auth: { client_token: string; policies: string[] };
}

describeWithTools(['curl', 'jq'], 'Vault scripts against the Vault fake', () => {
  let vault: VaultFake;
  let shims: ShimDir;
  let tokenFile: string;

  const script = (file: string, args: string[], extraEnv: Record<string, string> = {}) =>
    runAsync('bash', [file, ...args], {
      env: shims.env({ VAULT_ADDR: vault.url, VAULT_TOKEN_FILE: tokenFile, ...extraEnv }),
      cwd: shims.dir,
    });

  const curlCalls = () => (existsSync(shims.log('curl')) ? readFileSync(shims.log('curl'), 'utf8') : '');

  const api = async (method: string, p: string, token: string, body?: unknown) => {
    const res = await fetch(`${vault.url}/v1/${p}`, {
      method,
      headers: { 'x-vault-token': token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as ApiBody };
  };

  beforeEach(async () => {
    vault = await startVaultFake({ rootToken: ROOT_TOKEN, withDefaultMounts: false });
    shims = new ShimDir().wrap('curl').wrap('jq');
    tokenFile = path.join(shims.dir, 'vault-token');
    writeFileSync(tokenFile, `${ROOT_TOKEN}\n`, { mode: 0o600 });
  });

  afterEach(async () => {
    await vault.close();
    rmSync(shims.dir, { recursive: true, force: true });
  });

  describe('setup_approle.sh', () => {
    it('enables approle, KV v2 and the audit device, writes the policy and the role, hands out a wrapped secret id', async () => {
      const out = path.join(shims.dir, 'approle-dbu');
      const result = await script(SETUP, ['-o', out, 'dbu']);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('auth method approle/: enabled');
      expect(result.stdout).toContain('secret engine secret/: enabled (kv v2)');
      expect(result.stdout).toContain('audit device file/: enabled');
      expect(result.stdout).toContain('policy dbu: created');
      expect(result.stdout).toContain('approle role dbu: created');

      const s = vault.state;
      expect(s.authMounts.get('approle/')?.type).toBe('approle');
      expect(s.secretMounts.get('secret/')).toMatchObject({ type: 'kv', version: '2' });
      expect(s.auditDevices.get('file/')).toEqual({ type: 'file', options: { file_path: '/vault/logs/audit.log' } });
      expect(s.policies.get('dbu')).toBe(readFileSync(path.join(INFRA_DIR, 'vault/policies/dbu.hcl'), 'utf8'));
      expect(s.roles.get('dbu')?.config).toMatchObject({
        token_policies: ['dbu'],
        token_ttl: '1h',
        token_max_ttl: '24h',
        bind_secret_id: true,
      });

      expect(readFileSync(path.join(out, 'role_id'), 'utf8').trim()).toBe(s.roles.get('dbu')?.roleId);
      const wrapped = readFileSync(path.join(out, 'secret_id'), 'utf8').trim();
      expect(s.wrapped.get(wrapped)?.creationPath).toBe('auth/approle/role/dbu/secret-id');
      expect(statSync(path.join(out, 'secret_id')).mode & 0o777).toBe(0o600);
      expect(statSync(path.join(out, 'role_id')).mode & 0o777).toBe(0o600);
      expect(result.stdout).not.toContain(wrapped);
    });

    it('is idempotent: a second run changes nothing but issues a fresh wrapped secret id', async () => {
      const out = path.join(shims.dir, 'approle');
      expect((await script(SETUP, ['-o', out, 'dbu'])).status).toBe(0);
      const roleId = vault.state.roles.get('dbu')?.roleId;
      const firstWrap = readFileSync(path.join(out, 'secret_id'), 'utf8');
      const again = await script(SETUP, ['-o', out, 'dbu']);
      expect(again.stderr).toBe('');
      expect(again.status).toBe(0);
      expect(again.stdout).toContain('auth method approle/: present');
      expect(again.stdout).toContain('secret engine secret/: present (kv v2)');
      expect(again.stdout).toContain('audit device file/: present');
      expect(again.stdout).toContain('policy dbu: unchanged');
      expect(again.stdout).toContain('approle role dbu: updated');
      expect(vault.state.roles.get('dbu')?.roleId).toBe(roleId);
      expect(readFileSync(path.join(out, 'secret_id'), 'utf8')).not.toBe(firstWrap);
      // No second policy write on the re-run.
      const policyWrites = vault.state.requests.filter(
        (r) => r.method === 'PUT' && r.path === '/v1/sys/policies/acl/dbu',
      );
      expect(policyWrites).toHaveLength(1);
    });

    it('produces credentials a Vault Agent can use: unwrap, log in, read its own secrets and nothing else', async () => {
      const out = path.join(shims.dir, 'approle');
      expect((await script(SETUP, ['-o', out, 'dbu'])).status).toBe(0);
      expect((await script(SETUP, ['im'])).status).toBe(0);
      vault.state.putSecret('dbu', { DATABASE_URL: 'postgres://dbu@dbu-postgres/dbu' });
      vault.state.putSecret('im', { DATABASE_URL: 'postgres://im@im-postgres/im' });

      const wrapping = readFileSync(path.join(out, 'secret_id'), 'utf8').trim();
      const unwrapped = await api('POST', 'sys/wrapping/unwrap', wrapping);
      expect(unwrapped.status).toBe(200);
      const login = await api('POST', 'auth/approle/login', '', {
        role_id: readFileSync(path.join(out, 'role_id'), 'utf8').trim(),
        secret_id: unwrapped.body.data.secret_id,
      });
      expect(login.status).toBe(200);
      const token = login.body.auth.client_token;
      expect(login.body.auth.policies).toEqual(['default', 'dbu']);
      expect((await api('GET', 'secret/data/dbu', token)).body.data.data).toEqual({
        DATABASE_URL: 'postgres://dbu@dbu-postgres/dbu',
      });
      expect((await api('GET', 'secret/data/im', token)).status).toBe(403);
      expect((await api('POST', 'secret/data/dbu', token, { data: { X: '1' } })).status).toBe(403);
      // The wrapping token is single-use.
      expect((await api('POST', 'sys/wrapping/unwrap', wrapping)).status).toBe(400);
    });

    it('with --persistent writes a kept secret id the agent logs in with again after every restart', async () => {
      const out = path.join(shims.dir, 'approle-kept');
      const result = await script(SETUP, ['--persistent', '-o', out, 'dbu'], {
        APPROLE_SECRET_ID_CIDRS: '127.0.0.0/8',
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('(persistent, accessor');
      expect(result.stdout).toContain('bound to 127.0.0.0/8');
      expect(statSync(path.join(out, 'secret_id')).mode & 0o777).toBe(0o600);
      const secretId = readFileSync(path.join(out, 'secret_id'), 'utf8').trim();
      expect(result.stdout).not.toContain(secretId);
      expect(vault.state.wrapped.has(secretId)).toBe(false);
      vault.state.putSecret('dbu', { DATABASE_URL: 'postgres://dbu@dbu-postgres/dbu' });
      const roleId = readFileSync(path.join(out, 'role_id'), 'utf8').trim();
      // The same file works again and again: a reboot needs no rerun.
      for (let restart = 0; restart < 3; restart++) {
        const login = await api('POST', 'auth/approle/login', '', { role_id: roleId, secret_id: secretId });
        expect(login.status).toBe(200);
        expect(login.body.auth.policies).toEqual(['default', 'dbu']);
        const read = await api('GET', 'secret/data/dbu', login.body.auth.client_token);
        expect(read.body.data.data).toEqual({ DATABASE_URL: 'postgres://dbu@dbu-postgres/dbu' });
      }
    });

    it('never puts the token on a command line', async () => {
      expect((await script(SETUP, ['-o', path.join(shims.dir, 'a'), 'dbu'])).status).toBe(0);
      const calls = curlCalls();
      expect(calls).toContain('-H @');
      expect(calls).not.toContain(ROOT_TOKEN);
      expect(readFileSync(shims.log('jq'), 'utf8')).not.toContain(ROOT_TOKEN);
    });

    it('stops with a clear message when Vault is sealed', async () => {
      vault.state.sealed = true;
      const result = await script(SETUP, ['dbu']);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('is sealed: unseal it first (docs/vault-unseal.md)');
    });

    it('stops with a clear message when the token is not allowed', async () => {
      writeFileSync(tokenFile, 'hvs.not-a-valid-token');
      const result = await script(SETUP, ['dbu']);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/permission denied \(HTTP 403\)/);
    });

    it('stops with a clear message when Vault cannot be reached or is not configured', async () => {
      const unreachable = await script(SETUP, ['dbu'], { VAULT_ADDR: 'http://127.0.0.1:9' });
      expect(unreachable.status).toBe(1);
      expect(unreachable.stderr).toContain('cannot reach Vault at http://127.0.0.1:9');
      const noAddr = await runAsync('bash', [SETUP, 'dbu'], { env: shims.env({ VAULT_TOKEN_FILE: tokenFile }) });
      expect(noAddr.status).toBe(1);
      expect(noAddr.stderr).toContain('VAULT_ADDR is not set');
      const noPolicy = await script(SETUP, ['shop']);
      expect(noPolicy.status).toBe(1);
      expect(noPolicy.stderr).toContain('policy file not found');
    });

    it('refuses to touch a KV version 1 engine at secret/', async () => {
      vault.state.secretMounts.set('secret/', { type: 'kv', version: '1', description: '' });
      const result = await script(SETUP, ['dbu']);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('is not KV version 2');
    });
  });

  describe('push_env_to_vault.sh', () => {
    const SECRET = 'S3cr3t value with spaces #and=equals';
    const envFile = () => path.join(shims.dir, 'dbu.env');

    beforeEach(() => {
      vault.state.secretMounts.set('secret/', { type: 'kv', version: '2', description: '' });
      writeFileSync(
        envFile(),
        [
          '# DBU production settings',
          'DATABASE_URL=postgres://dbu:pw@dbu-postgres:5432/dbu',
          'export RABBITMQ_URL="amqp://dbu:pw@im-rabbitmq:5672/pjs"',
          `SIGNAL_SECRET='${SECRET}'`,
          'LOG_LEVEL=info   # trailing comment',
          '',
          'EMPTY=',
        ].join('\n'),
      );
    });

    it('writes the env file as KV v2 secret/<project> with cas=0 and prints key names only', async () => {
      const result = await script(PUSH, ['dbu', envFile()]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(vault.state.getSecret('dbu')).toEqual({
        DATABASE_URL: 'postgres://dbu:pw@dbu-postgres:5432/dbu',
        RABBITMQ_URL: 'amqp://dbu:pw@im-rabbitmq:5672/pjs',
        SIGNAL_SECRET: SECRET,
        LOG_LEVEL: 'info',
        EMPTY: '',
      });
      expect(result.stdout).toContain(
        'wrote secret/dbu version 1: +DATABASE_URL +EMPTY +LOG_LEVEL +RABBITMQ_URL +SIGNAL_SECRET',
      );
      expect(result.stdout).not.toContain('pw@');
      expect(result.stdout).not.toContain(SECRET);
    });

    it('is idempotent: the same file again writes no new version', async () => {
      expect((await script(PUSH, ['dbu', envFile()])).status).toBe(0);
      const again = await script(PUSH, ['dbu', envFile()]);
      expect(again.status).toBe(0);
      expect(again.stdout).toContain('secret/dbu unchanged (version 1, 5 keys)');
      expect(vault.state.kv.get('secret/dbu')?.currentVersion).toBe(1);
    });

    it('writes a new version with check-and-set on the current one and names what changed', async () => {
      expect((await script(PUSH, ['dbu', envFile()])).status).toBe(0);
      writeFileSync(envFile(), 'DATABASE_URL=postgres://dbu:new@dbu-postgres:5432/dbu\nLOG_LEVEL=info\nNEW_KEY=1\n');
      let casSent: unknown;
      vault.state.beforeRequest = (method, p) => {
        if (method === 'POST' && p === 'secret/data/dbu') casSent = vault.state.kv.get('secret/dbu')?.currentVersion;
      };
      const result = await script(PUSH, ['dbu', envFile()]);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(
        'wrote secret/dbu version 2: +NEW_KEY ~DATABASE_URL -EMPTY -RABBITMQ_URL -SIGNAL_SECRET',
      );
      expect(casSent).toBe(1);
      expect(vault.state.getSecret('dbu')).toEqual({
        DATABASE_URL: 'postgres://dbu:new@dbu-postgres:5432/dbu',
        LOG_LEVEL: 'info',
        NEW_KEY: '1',
      });
    });

    it('refuses to overwrite a concurrent change (CAS conflict, exit 3, nothing written)', async () => {
      vault.state.putSecret('dbu', { DATABASE_URL: 'old' });
      vault.state.beforeRequest = (method, p) => {
        // Another operator writes between the script's read of the metadata and its write.
        if (method === 'POST' && p === 'secret/data/dbu') vault.state.putSecret('dbu', { DATABASE_URL: 'theirs' });
      };
      const result = await script(PUSH, ['dbu', envFile()]);
      expect(result.status).toBe(3);
      expect(result.stderr).toContain('conflict: secret/dbu changed after version 1 was read; nothing written');
      expect(vault.state.getSecret('dbu')).toEqual({ DATABASE_URL: 'theirs' });
      expect(vault.state.kv.get('secret/dbu')?.currentVersion).toBe(2);
    });

    it('changes nothing on a dry run', async () => {
      const result = await script(PUSH, ['--dry-run', 'dbu', envFile()]);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('dry run: would write secret/dbu over version 0');
      expect(vault.state.kv.size).toBe(0);
    });

    it('reports bad lines by number without showing values', async () => {
      writeFileSync(envFile(), 'GOOD=1\nthis line has no equals sign\n1BAD=x\nQUOTED=`cmd`\n');
      const result = await script(PUSH, ['dbu', envFile()]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('line 2: not KEY=VALUE');
      expect(result.stderr).toContain('line 3: invalid name 1BAD');
      expect(result.stderr).toContain('line 4: value of QUOTED contains a backquote');
      expect(result.stderr).not.toContain('cmd');
      expect(vault.state.kv.size).toBe(0);
    });

    it('reports a token without write access', async () => {
      vault.state.policies.set('dbu', readFileSync(path.join(INFRA_DIR, 'vault/policies/dbu.hcl'), 'utf8'));
      const readOnly = vault.state.issueToken(['dbu']);
      writeFileSync(tokenFile, readOnly.token);
      vault.state.putSecret('dbu', { A: '1' });
      const result = await script(PUSH, ['dbu', envFile()]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/writing secret\/data\/dbu: permission denied \(HTTP 403\)/);
    });

    it('reports a missing env file and a sealed Vault', async () => {
      const missing = await script(PUSH, ['dbu', path.join(shims.dir, 'nope.env')]);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('env file not found');
      vault.state.sealed = true;
      const sealed = await script(PUSH, ['dbu', envFile()]);
      expect(sealed.status).toBe(1);
      expect(sealed.stderr).toContain('is sealed');
    });

    it('never puts a value or the token on a command line', async () => {
      expect((await script(PUSH, ['dbu', envFile()])).status).toBe(0);
      const argv = curlCalls() + readFileSync(shims.log('jq'), 'utf8');
      expect(argv).not.toContain(ROOT_TOKEN);
      expect(argv).not.toContain('S3cr3t');
      expect(argv).not.toContain('pw@');
      expect(curlCalls()).toContain('--data-binary @-');
    });
  });
});
