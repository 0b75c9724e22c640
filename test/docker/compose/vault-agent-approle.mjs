// Reboot-drill stand-in for a stack's Vault Agent (the hashicorp/vault image cannot be pulled in
// CI) that does what infrastructure-stack/vault/agent/<project>.hcl configures, against the
// Vault fake: AppRole login with /vault/approle/role_id and the kept secret_id (never deleted),
// read secret/data/<project>, render /vault/secrets/app.env (KEY=`value`, sorted, mode 0640).
// While Vault is sealed or unreachable it retries with backoff (2 s .. 15 s) instead of exiting,
// as the agent's auto_auth does; it re-renders every 5 minutes.
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const vault = process.env.VAULT_ADDR;
const project = process.env.PJS_PROJECT;
const out = '/vault/secrets/app.env';
const say = (m) => process.stdout.write(`${new Date().toISOString()} [agent ${project}] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(method, path, token, body) {
  const res = await fetch(`${vault}/v1/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { 'x-vault-token': token } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(5000),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${(json.errors ?? []).join('; ')}`);
  return json;
}

async function render() {
  const roleId = readFileSync('/vault/approle/role_id', 'utf8').trim();
  const secretId = readFileSync('/vault/approle/secret_id', 'utf8').trim();
  const login = await call('POST', 'auth/approle/login', null, { role_id: roleId, secret_id: secretId });
  const secret = await call('GET', `secret/data/${project}`, login.auth.client_token);
  const data = secret.data.data;
  const text = Object.keys(data)
    .sort()
    .map((k) => `${k}=\`${data[k]}\``)
    .join('\n');
  writeFileSync(`${out}.tmp`, `${text}\n`, { mode: 0o640 });
  chmodSync(`${out}.tmp`, 0o640);
  renameSync(`${out}.tmp`, out);
  say(`logged in with AppRole, rendered ${out} (${Object.keys(data).length} keys)`);
}

process.on('SIGTERM', () => process.exit(0));
let backoff = 2000;
for (;;) {
  try {
    await render();
    backoff = 2000;
    await sleep(5 * 60_000);
  } catch (error) {
    say(`${error.message}; retrying in ${backoff / 1000} s`);
    await sleep(backoff);
    backoff = Math.min(backoff * 2, 15_000);
  }
}
