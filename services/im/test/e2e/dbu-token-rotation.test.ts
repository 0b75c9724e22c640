import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenService, type IssuedToken } from '@pjs/auth';
import { createTestUser, createTestVhost, waitFor, type TestUser, type TestVhost } from '@pjs/testing';
import request from 'supertest';
import { startRealDbu, type RealDbu } from '../integration/support/real-dbu';
import { startIm, type ImStack } from '../integration/support/sync-harness';

jest.setTimeout(120_000);

/**
 * The rotation drill of the IM → DBU service account (docs/operations.md): IM keeps calling the
 * real DBU while its token is replaced in the secret file and the old one is revoked; no call fails.
 */
describe('rotating the IM → DBU token while IM keeps calling DBU', () => {
  let vhost: TestVhost;
  let dbu: RealDbu;
  let im: ImStack;
  let admin: TestUser;
  let tokens: TokenService;
  let current: IssuedToken;
  const dir = mkdtempSync(join(tmpdir(), 'im-dbu-token-'));
  const tokenFile = join(dir, 'dbu_token');

  /** As a Vault Agent or `install` does it: a new file renamed over the old one. */
  const writeTokenFile = (secret: string) => {
    writeFileSync(`${tokenFile}.new`, `${secret}\n`, { mode: 0o600 });
    renameSync(`${tokenFile}.new`, tokenFile);
  };
  const issue = (label: string) =>
    tokens.create({ userId: dbu.user.id, name: label, scopes: ['catalogue:read'], createdBy: null });
  const lastUsed = async (id: number) => {
    const [row] = await dbu.dataSource.query<{ last_used_at: Date | null }[]>(
      `SELECT last_used_at FROM auth_tokens WHERE id = $1`,
      [id],
    );
    return row.last_used_at;
  };

  beforeAll(async () => {
    vhost = await createTestVhost('im_token_rotation');
    dbu = await startRealDbu('token_rotation', vhost.url);
    await dbu.seed([{ item_no: 'FALCON-1', title: 'Millennium Falcon', rrp: '149.99' }]);
    tokens = dbu.app.get(TokenService, { strict: false });
    current = await issue('im-sync 1');
    writeTokenFile(current.token);
    // No DBU_USERNAME/DBU_PASSWORD: the token file is IM's only credential.
    im = await startIm('token_rotation', { rabbitUrl: vhost.url, dbuUrl: dbu.url, DBU_TOKEN_FILE: tokenFile });
    admin = await createTestUser(im.dataSource, { admin: true });
  });

  afterAll(async () => {
    await im?.close();
    await dbu?.close();
    await vhost?.drop();
  });

  /** Two callers asking IM to search DBU, back to back, until stopped; every answer is kept. */
  function keepCalling() {
    const statuses: number[] = [];
    let running = true;
    const caller = async () => {
      while (running) {
        const res = await request(im.http)
          .post('/api/query-dbu-item/')
          .set('Authorization', `Token ${admin.token}`)
          .send({ title: 'falcon' });
        statuses.push(res.status);
      }
    };
    const callers = Promise.all([caller(), caller()]);
    return {
      statuses,
      /** Waits for `n` more answers. */
      more: (n: number) => {
        const target = statuses.length + n;
        return waitFor(() => statuses.length >= target, 30_000, 10);
      },
      stop: async () => {
        running = false;
        await callers;
      },
    };
  }

  it('answers every call while the token is rotated, in the runbook order and with an early revoke', async () => {
    const calls = keepCalling();
    try {
      await calls.more(10);
      expect(await lastUsed(current.summary.id)).not.toBeNull();

      // 1. The runbook: new token into the file, wait until DBU sees it used, then revoke the old one.
      const second = await issue('im-sync 2');
      writeTokenFile(second.token);
      await waitFor(async () => (await lastUsed(second.summary.id)) !== null, 30_000, 50);
      expect(await tokens.revoke(current.summary.id)).toBe(true);
      await calls.more(20);
      current = second;

      // 2. An operator in a hurry: the old token revoked the moment the file is written. IM's next
      //    call is refused (401), reads the file again and repeats with the new token.
      const third = await issue('im-sync 3');
      writeTokenFile(third.token);
      expect(await tokens.revoke(current.summary.id)).toBe(true);
      await calls.more(20);
      await waitFor(async () => (await lastUsed(third.summary.id)) !== null, 30_000, 50);
      current = third;
    } finally {
      await calls.stop();
    }
    expect(calls.statuses.filter((s) => s !== 200)).toEqual([]);
    expect(calls.statuses.length).toBeGreaterThanOrEqual(50);

    // The revoked tokens are refused by DBU; the one in the file is the one in use.
    const direct = (secret: string) =>
      request(dbu.directUrl).get('/api/products/').set('Authorization', `Token ${secret}`);
    const revoked = await tokens.list({ userId: dbu.user.id, includeRevoked: true, limit: 100 });
    expect(
      revoked
        .filter((t) => t.revoked_at !== null)
        .map((t) => t.name)
        .sort(),
    ).toEqual(['im-sync 1', 'im-sync 2']);
    expect((await direct(current.token)).status).toBe(200);
  });
});
