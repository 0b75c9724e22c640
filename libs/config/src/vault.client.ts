import { readFileSync } from 'node:fs';
import nodeVault from 'node-vault';
import type { RawSettings } from './env-sources';

export interface VaultOptions {
  addr: string;
  roleId: string;
  secretId: string;
  /** KV v2 path below the `secret/` mount, e.g. `dbu`. */
  project: string;
  mount?: string;
  requestTimeoutMs?: number;
}

interface LoginAuth {
  client_token: string;
  lease_duration: number;
  renewable: boolean;
}

/**
 * An AppRole session against Vault: logs in, reads KV v2 and keeps its token renewed
 * at two thirds of the lease so later reads keep working.
 */
export class VaultSession {
  private readonly client: nodeVault.client;
  private renewTimer?: NodeJS.Timeout;

  private constructor(private readonly options: VaultOptions) {
    this.client = nodeVault({
      apiVersion: 'v1',
      endpoint: options.addr,
      requestOptions: { timeout: options.requestTimeoutMs ?? 5000 },
    });
  }

  static async login(options: VaultOptions): Promise<VaultSession> {
    const session = new VaultSession(options);
    const result = (await session.client.approleLogin({
      role_id: options.roleId,
      secret_id: options.secretId,
    })) as { auth: LoginAuth };
    session.client.token = result.auth.client_token;
    session.scheduleRenewal(result.auth);
    return session;
  }

  /** Reads every key of `secret/<project>` (KV v2) as strings. */
  async readProjectSecrets(): Promise<RawSettings> {
    const mount = this.options.mount ?? 'secret';
    const res = (await this.client.read(`${mount}/data/${this.options.project}`)) as {
      data: { data: Record<string, unknown> };
    };
    const out: RawSettings = {};
    for (const [key, value] of Object.entries(res.data.data ?? {})) {
      out[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    return out;
  }

  /** Renews the token now; returns the new lease in seconds. */
  async renew(): Promise<number> {
    const res = (await this.client.tokenRenewSelf()) as { auth: LoginAuth };
    this.scheduleRenewal(res.auth);
    return res.auth.lease_duration;
  }

  get token(): string {
    return this.client.token;
  }

  close(): void {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
  }

  private scheduleRenewal(auth: LoginAuth): void {
    this.close();
    if (!auth.renewable || auth.lease_duration <= 0) return;
    const delayMs = Math.max(1000, Math.floor((auth.lease_duration * 1000 * 2) / 3));
    this.renewTimer = setTimeout(() => {
      // A failed renewal is not fatal: the settings were already read; the next start logs in again.
      this.renew().catch(() => this.close());
    }, delayMs);
    this.renewTimer.unref();
  }
}

/** Resolves `VAULT_ROLE_ID` / `VAULT_SECRET_ID` from the env or their `_FILE` forms. */
export function vaultCredential(env: RawSettings, name: string): string | undefined {
  if (env[name]) return env[name];
  const file = env[`${name}_FILE`];
  return file ? readFileSync(file, 'utf8').trim() : undefined;
}
